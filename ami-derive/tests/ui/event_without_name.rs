use ami_types::derive::Event;

#[derive(Event)]
pub struct MyEvent<'a> {
    pub channel: &'a str,
}

fn main() {}
