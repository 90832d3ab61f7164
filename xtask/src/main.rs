// Generation builds and drops millions of small token trees; glibc malloc was 30% of the profile.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let code = xtask::run(&args, &mut std::io::stdout(), &mut std::io::stderr());
    std::process::exit(code);
}
