//! A first tour: connect (to `AMI_HOST`… when set, else to an in-process mock PBX), log in,
//! send typed actions, read a list, originate a call and print a few events.
//!
//! ```sh
//! cargo run -p ami-client --example quickstart
//! AMI_HOST=pbx.example AMI_USERNAME=admin AMI_SECRET=… cargo run -p ami-client --example quickstart
//! ```

use std::time::Duration;

use ami_client::mock::MockPbx;
use ami_client::{Client, Config, EventItem};
use ami_types::action::{CoreSettings, Originate, Ping, QueueStatus};
use ami_types::response::QueueStatusItem;
use ami_types::Event;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Use a real Asterisk when AMI_HOST is set; otherwise the embedded mock PBX.
    let (config, _mock) = match Config::from_env() {
        Some(config) => (config, None),
        None => {
            let mock = MockPbx::start().await?;
            println!(
                "no AMI_HOST set: using the embedded mock PBX on {}",
                mock.addr()
            );
            (
                Config::new("127.0.0.1", mock.addr().port(), "admin", "amp111"),
                Some(mock),
            )
        }
    };
    let client = Client::connect(config).await?;
    println!("connected: {:?}", *client.state().borrow());
    let mut events = client.events();

    // A typed response with fields.
    let reply = client.send(&Ping::new()).await?;
    let pong = reply.decode()?;
    println!("Ping -> {:?} at {:?}", pong.ping, pong.timestamp);

    // Core settings, typed.
    let reply = client.send(&CoreSettings::new()).await?;
    let settings = reply.decode()?;
    println!(
        "CoreSettings -> Asterisk {:?}, AMI {:?}",
        settings.asterisk_version, settings.ami_version
    );

    // An event list: typed items and completion.
    let reply = client.send(&QueueStatus::new()).await?;
    let list = reply.decode()?;
    for item in &list.items {
        match item {
            QueueStatusItem::QueueParams(q) => println!("queue {:?}: {:?} calls", q.queue, q.calls),
            QueueStatusItem::QueueMember(m) => {
                println!("  member {:?} status {:?}", m.name, m.status)
            }
            QueueStatusItem::QueueEntry(e) => println!("  caller {:?} waiting", e.caller_id_num),
        }
    }
    println!("QueueStatus complete: {:?} items", list.complete.list_items);

    // An async Originate, awaited until its OriginateResponse event.
    let outcome = client
        .originate(
            Originate::new("Local/100@default")
                .application("Wait")
                .data("1"),
        )
        .await?;
    if let Event::OriginateResponse(r) = Event::decode(&outcome.event)? {
        println!(
            "Originate -> {} (reason {:?}) on {:?}",
            r.response, r.reason, r.channel
        );
    }

    // A few events, typed.
    for _ in 0..3 {
        match tokio::time::timeout(Duration::from_millis(500), events.next()).await {
            Ok(Some(EventItem::Event(e))) => {
                println!("event {} -> {:?}", e.name(), e.decode()?.kind())
            }
            Ok(Some(EventItem::Overflow { dropped })) => println!("fell behind: {dropped} dropped"),
            Ok(None) | Err(_) => break,
        }
    }

    client.logoff().await?;
    println!("logged off");
    Ok(())
}
