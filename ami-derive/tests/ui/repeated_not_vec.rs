use ami_types::derive::Event;

#[derive(Event)]
#[ami(name = "MyEvent")]
pub struct MyEvent<'a> {
    #[ami(header = "Output", repeated)]
    pub output: Option<&'a str>,
}

fn main() {}
