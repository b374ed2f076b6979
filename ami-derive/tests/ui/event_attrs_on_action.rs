use ami_types::derive::Action;

#[derive(Action)]
#[ami(name = "MyAction")]
pub struct MyAction {
    #[ami(header = "ChanVariable", prefix_match)]
    pub chan_variable: Option<String>,
}

fn main() {}
