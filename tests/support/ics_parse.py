# Reads an iCalendar document from standard input with the `icalendar`
# package and prints what the tests check, as JSON: each event's UID,
# SEQUENCE, STATUS and text, and its start and end in UTC, placed both by
# the parser's own zone database and by the document's VTIMEZONE.
import json, sys
from datetime import timezone
import icalendar

def utc(dt):
    return dt.astimezone(timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')

cal = icalendar.Calendar.from_ical(sys.stdin.read())
zones = {str(vt['TZID']): vt.to_tz(lookup_tzid=False) for vt in cal.walk('VTIMEZONE')}
events = []
for ev in cal.walk('VEVENT'):
    item = {k: str(ev.get(k)) for k in ('UID', 'STATUS', 'SUMMARY', 'LOCATION', 'URL', 'DESCRIPTION') if ev.get(k) is not None}
    item['SEQUENCE'] = int(ev.get('SEQUENCE', 0))
    for name in ('DTSTART', 'DTEND'):
        prop = ev[name]
        tzid = prop.params.get('TZID')
        item[name] = utc(prop.dt)
        item[name + '_TZID'] = tzid
        if tzid:
            # The same wall time placed by the calendar's own VTIMEZONE.
            item[name + '_BY_VTIMEZONE'] = utc(prop.dt.replace(tzinfo=None).replace(tzinfo=zones[tzid]))
    events.append(item)
print(json.dumps({'name': str(cal.get('X-WR-CALNAME', '')), 'zones': sorted(zones), 'events': events}))
