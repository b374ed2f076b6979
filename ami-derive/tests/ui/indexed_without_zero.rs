use ami_types::derive::Action;

#[derive(Action)]
#[ami(name = "MyAction")]
pub struct MyAction {
    #[ami(header = "UnitAmount", indexed)]
    pub unit_amount: Vec<u64>,
}

fn main() {}
