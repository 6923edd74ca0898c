import WSKCLI

@main
struct Entrypoint {
    static func main() async {
        await WSK.run()
    }
}
