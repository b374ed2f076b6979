use ami_types::derive::Event;

#[derive(Event)]
#[ami(name = "MyEvent", response = "ami_types::Ack<'a>")]
pub struct MyEvent<'a> {
    pub channel: &'a str,
}

fn main() {}
