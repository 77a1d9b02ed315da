//! `soak`: the co-op world under a mixed load of members and visitors for a
//! while; every answer checked, figures per operation, the server's memory.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use crate::args::Args;
use crate::client::Client;
use crate::memory::{self, mib};
use crate::stats::Stats;
use crate::workload::{self, Step};
use crate::world::World;

pub async fn run(mut args: Args) -> Result<(), String> {
    let url = args.required("url")?;
    let seconds: u64 = args.number("seconds", 60)?;
    let connections: usize = args.number("connections", 64)?;
    let pid: u32 = args.number("pid", 0)?;
    let admin = args.required("admin")?;
    args.finish()?;
    let password = crate::admin_password()?;

    let client = Rc::new(Client::new(&url, connections, Duration::from_secs(30)));
    let seeding = Instant::now();
    let world = Rc::new(World::seed(&client, &admin, &password).await?);
    println!("seeded {} in {:.1} s", world.summary(), seeding.elapsed().as_secs_f64());
    println!("load: {connections} connections for {seconds} s");

    let seeded = (pid != 0).then(|| memory::read(pid)).flatten();
    let stats = Rc::new(RefCell::new(Stats::default()));
    let sink = {
        let stats = Rc::clone(&stats);
        Rc::new(RefCell::new(move |step: Step| stats.borrow_mut().record(&step)))
    };
    let started = Instant::now();
    let until = started + Duration::from_secs(seconds);
    let sampler = (pid != 0).then(|| actix_web::rt::spawn(memory::sample(pid, until, Duration::from_millis(250))));
    workload::run(Rc::clone(&client), Rc::clone(&world), connections, until, sink).await;
    let elapsed = started.elapsed();
    let memory = match sampler {
        Some(task) => task.await.ok(),
        None => None,
    };

    let mut stats = stats.borrow_mut();
    print!("{}", stats.report(elapsed));
    println!("posts now: {}", world.posts.borrow().len());
    if let Some(m) = memory {
        let end = memory::read(pid).map_or(m.rss, |(_, rss)| rss);
        let before = seeded.map_or("?".to_string(), |(_, rss)| mib(rss));
        println!(
            "server memory: RSS {before} before the load; peak {} (VmHWM, {} samples), RSS {} at the end",
            mib(m.peak),
            m.samples,
            mib(end)
        );
    }
    if stats.errors > 0 || stats.leaks > 0 {
        return Err(format!(
            "soak FAILED: {} errors, {} leaks in {} requests",
            stats.errors,
            stats.leaks,
            stats.requests()
        ));
    }
    println!("soak passed: {} requests, no errors, no leaks", stats.requests());
    Ok(())
}
