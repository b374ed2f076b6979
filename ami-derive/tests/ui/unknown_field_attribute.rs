use ami_types::derive::Event;

#[derive(Event)]
#[ami(name = "MyEvent")]
pub struct MyEvent<'a> {
    #[ami(heder = "Channel")]
    pub channel: &'a str,
}

fn main() {}
