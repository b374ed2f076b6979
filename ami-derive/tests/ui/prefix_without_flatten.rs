use ami_types::derive::Event;

#[derive(Event)]
#[ami(name = "MyEvent")]
pub struct MyEvent<'a> {
    #[ami(prefix = "Dest")]
    pub channel: &'a str,
}

fn main() {}
