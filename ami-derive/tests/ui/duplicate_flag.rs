use ami_types::derive::Event;

#[derive(Event)]
#[ami(name = "MyEvent")]
pub struct MyEvent<'a> {
    #[ami(repeated)]
    #[ami(repeated)]
    pub output: Vec<&'a str>,
}

fn main() {}
