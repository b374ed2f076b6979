use ami_types::derive::Event;

#[derive(Event)]
#[ami(name = "MyEvent")]
#[ami(name = "MyOtherEvent")]
pub struct MyEvent<'a> {
    pub channel: &'a str,
}

fn main() {}
