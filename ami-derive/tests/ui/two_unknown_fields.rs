use ami_types::derive::Event;
use ami_types::Unknown;

#[derive(Event)]
#[ami(name = "MyEvent")]
pub struct MyEvent<'a> {
    #[ami(unknown)]
    pub unknown: Unknown<'a>,
    #[ami(unknown)]
    pub rest: Unknown<'a>,
}

fn main() {}
