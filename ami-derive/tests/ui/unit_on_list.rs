use std::time::Duration;

use ami_types::derive::Action;

#[derive(Action)]
#[ami(name = "MyAction")]
pub struct MyAction {
    #[ami(header = "Timeouts", list, unit = "ms")]
    pub timeouts: Vec<Duration>,
}

fn main() {}
