use std::time::Duration;

use ami_types::derive::Event;

#[derive(Event)]
#[ami(name = "MyEvent")]
pub struct MyEvent<'a> {
    pub channel: &'a str,
    #[ami(unit = "h")]
    pub uptime: Option<Duration>,
}

fn main() {}
