import ArgumentParser
import Foundation
import NIOCore
import WSKCompression
import WSKCore
import WSKNIO

struct ServerBehaviourOptions: ParsableArguments {
    @Flag(help: "Send every message to all connected clients.")
    var broadcast = false

    @Flag(help: "Pub/sub: the request path names the topic; messages go to every client on that topic.")
    var pubsub = false

    @Flag(help: "With --broadcast or --pubsub, do not send a message back to its sender.")
    var excludeSender = false

    @Option(help: ArgumentHelp("A subprotocol the server speaks (repeatable).", valueName: "name"))
    var subprotocol: [String] = []
}
