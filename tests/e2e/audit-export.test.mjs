// The audit page exports what its filter matches as a CSV file.

import { readFileSync } from 'node:fs';
import { ADMIN, api, browserTest, settled, signIn, suffix } from './lib.mjs';

browserTest('the audit log exports as CSV, filtered', async ({ page }) => {
  const id = suffix();
  const admin = await api.adminToken();
  const slug = `exported-${id}`;
  await api.post('/api/v1/groups', { slug, name: `Exported, "quoted" ${id}`, description: '=1+1' }, admin);

  await signIn(page, ADMIN);
  await page.goto('/admin/audit?action=group.');
  await settled(page, 'Audit log');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export as CSV' }).click(),
  ]);
  if (download.suggestedFilename() !== 'audit-log.csv') throw new Error(`named ${download.suggestedFilename()}`);
  const text = readFileSync(await download.path(), 'utf8');
  const lines = text.split('\r\n').filter(Boolean);
  if (lines[0] !== 'id,time,actor,action,target,before,after,client_address') throw new Error(`header ${lines[0]}`);
  const row = lines.find((l) => l.includes(`"group:${slug}"`));
  if (!row) throw new Error(`no row for group:${slug} in\n${text.slice(0, 2000)}`);
  if (!row.includes(`"${ADMIN.username}"`)) throw new Error(`the row does not name the actor: ${row}`);
  if (lines.slice(1).some((l) => !/^"\d+","[^"]+","[^"]*","group\./.test(l))) {
    throw new Error(`a row outside the filter or malformed:\n${text.slice(0, 2000)}`);
  }
  const all = [];
  for (let cursor = null; ; ) {
    const page = await api.get(`/api/v1/admin/audit?action=group.&limit=100${cursor ? `&cursor=${cursor}` : ''}`, admin);
    all.push(...page.items);
    if (!page.next_cursor) break;
    cursor = encodeURIComponent(page.next_cursor);
  }
  if (lines.length - 1 !== all.length) throw new Error(`${lines.length - 1} rows, the API has ${all.length} entries`);
});
