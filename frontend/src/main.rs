fn main() {
    quorum_frontend::start();
}
