use ami_types::derive::Event;

#[derive(Event)]
pub struct MyEvent<'a> {
    #[ami(repeated)]
    pub channel: &'a str,
    pub output: Vec<&'a str>,
    #[ami(unit = "minutes")]
    pub uptime: Option<u64>,
}

fn main() {}
