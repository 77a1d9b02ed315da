//! `outage`: the mixed load keeps running while the database is stopped
//! and started again by whoever runs this driver, who reports the moments
//! on standard input (`stopping|stopped|starting|started <unix ms>`, one a
//! line). At the end every request is placed on that timeline and judged.

use std::cell::RefCell;
use std::io::{BufRead, Write};
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use crate::args::Args;
use crate::client::Client;
use crate::timeline::{self, Bounds, Outage, Record};
use crate::workload::{self, Step};
use crate::world::World;

pub async fn run(mut args: Args) -> Result<(), String> {
    let url = args.required("url")?;
    let admin = args.required("admin")?;
    let seconds: u64 = args.number("seconds", 40)?;
    let connections: usize = args.number("connections", 32)?;
    let timeout: u64 = args.number("timeout", 10)?;
    let bounds = Bounds { slowest: args.number("slowest-ms", 5_000)?, recovery: args.number("recovery-ms", 10_000)? };
    args.finish()?;
    let password = crate::admin_password()?;

    let client = Rc::new(Client::new(&url, connections, Duration::from_secs(timeout)));
    let world = Rc::new(World::seed(&client, &admin, &password).await?);
    println!("seeded {}", world.summary());

    let events = Arc::new(Mutex::new(Vec::<(String, u64)>::new()));
    let listener = Arc::clone(&events);
    std::thread::spawn(move || {
        for line in std::io::stdin().lock().lines().map_while(Result::ok) {
            if let Some((name, at)) =
                line.split_once(' ').and_then(|(n, t)| Some((n.to_owned(), t.trim().parse().ok()?)))
            {
                listener.lock().unwrap_or_else(|p| p.into_inner()).push((name, at));
            }
        }
    });

    let records = Rc::new(RefCell::new(Vec::<Record>::new()));
    let leaks = Rc::new(RefCell::new(0u64));
    let started = Instant::now();
    let started_unix = unix_ms();
    let sink = {
        let (records, leaks) = (Rc::clone(&records), Rc::clone(&leaks));
        Rc::new(RefCell::new(move |step: Step| {
            records.borrow_mut().push(Record {
                at: step.started.saturating_duration_since(started).as_millis() as u64,
                took: step.took.as_millis() as u64,
                status: step.status,
                problem: step.problem,
                ok: step.fault.is_none(),
            });
            for leak in &step.leaks {
                eprintln!("LEAK {leak}");
            }
            *leaks.borrow_mut() += u64::from(!step.leaks.is_empty());
        }))
    };
    println!("load: {connections} connections for {seconds} s, {timeout} s per request at most");
    let _ = std::io::stdout().flush();
    let until = started + Duration::from_secs(seconds);
    workload::run(client, world, connections, until, sink).await;
    let load_ms = started.elapsed().as_millis() as u64;

    let events = events.lock().unwrap_or_else(|p| p.into_inner()).clone();
    let at = |name: &str| {
        events.iter().find(|(n, _)| n == name).map(|(_, t)| t.saturating_sub(started_unix)).ok_or_else(|| {
            format!("the database was never reported {name} (events: {events:?}); was it stopped at all?")
        })
    };
    let outage = Outage {
        stopping: at("stopping")?,
        stopped: at("stopped")?,
        starting: at("starting")?,
        started: at("started")?,
    };
    let records = records.borrow();
    let mut analysis = timeline::analyse(&records, outage, bounds, load_ms);
    let leaks = *leaks.borrow();
    if leaks > 0 {
        analysis.failures.push(format!("{leaks} answers leaked content to viewers outside its audience"));
    }
    println!("{} requests in {:.1} s; leaks: {leaks}", records.len(), load_ms as f64 / 1000.0);
    print!("{}", analysis.summary);
    if analysis.failures.is_empty() {
        println!("outage passed: every request answered within bounds, 503 problem+json while the database was away");
        Ok(())
    } else {
        println!("outage FAILED:");
        for failure in &analysis.failures {
            println!("  {failure}");
        }
        Err(format!("outage FAILED: {} checks", analysis.failures.len()))
    }
}

pub fn unix_ms() -> u64 {
    SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}
