use ami_types::derive::Event;

#[derive(Event)]
#[ami(name = "MyEvent")]
pub struct MyEvent<'a> {
    #[ami(header = "Channel", header = "Chan")]
    pub channel: &'a str,
}

fn main() {}
