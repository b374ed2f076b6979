use ami_types::derive::{Event, Fields};
use ami_types::Unknown;

#[derive(Fields)]
struct Snap<'a> {
    channel: &'a str,
}

#[derive(Event)]
#[ami(name = "X")]
struct X<'a> {
    #[ami(flatten, header = "Channel")]
    snap: Snap<'a>,
    #[ami(unknown)]
    unknown: Unknown<'a>,
}

fn main() {}
