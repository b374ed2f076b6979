use ami_types::derive::Action;
use std::time::Duration;

#[derive(Action)]
#[ami(name = "Wait")]
struct Wait {
    timeout: Option<Duration>,
}

fn main() {}
