use ami_types::derive::Event;

#[derive(Event)]
#[ami(name = "MyEvent")]
pub struct MyEvent<'a, 'b> {
    pub channel: &'a str,
    pub uniqueid: &'b str,
}

fn main() {}
