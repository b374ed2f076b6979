use ami_types::derive::Event;
use std::time::Duration;

#[derive(Event)]
#[ami(name = "X")]
struct X<'a> {
    #[ami(repeated, unit = "s")]
    waits: Vec<Duration>,
    name: &'a str,
}

fn main() {}
