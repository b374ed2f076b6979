use ami_types::derive::Action;

#[derive(Action)]
#[ami(name = "MyAction", response = "Ack<'a")]
pub struct MyAction {
    pub channel: String,
}

fn main() {}
