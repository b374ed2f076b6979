use ami_types::derive::Action;

#[derive(Action)]
pub struct MyAction {
    pub channel: String,
}

fn main() {}
