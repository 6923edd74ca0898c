import HTTPTypes
import Testing

@testable import WSKCore

@Suite("HandshakeFailure")
struct HandshakeFailureTests {
    static let parseError = ExtensionHeaderParser.ParseError(message: "expected extension name", offset: 0)

    static let serverFailures: [HandshakeFailure] = [
        .missingUpgradeHeader, .invalidUpgradeHeader("h2c"), .missingConnectionHeader,
        .invalidConnectionHeader("close"), .malformedExtensionHeader(parseError), .methodNotAllowed("POST"),
        .unsupportedHTTPVersion(major: 1, minor: 0), .missingHostHeader, .duplicateHostHeader,
        .missingVersionHeader, .duplicateVersionHeader, .unsupportedVersion("8"), .missingKey, .duplicateKey,
        .malformedKey("x"), .invalidKeyLength(15),
    ]

    static let clientOnlyFailures: [HandshakeFailure] = [
        .unexpectedStatus(200), .missingAcceptKey, .acceptKeyMismatch(expected: "a", got: "b"),
        .subprotocolNotOffered("chat"), .extensionNotOffered("x-test"),
    ]

    @Test(arguments: serverFailures)
    func serverFailuresCarryAnErrorStatus(failure: HandshakeFailure) throws {
        let status = try #require(failure.status)
        #expect([400, 405, 426].contains(status.code))
    }

    @Test(arguments: clientOnlyFailures)
    func clientOnlyFailuresCarryNoStatus(failure: HandshakeFailure) {
        #expect(failure.status == nil)
        #expect(failure.responseHeaderFields.isEmpty)
    }

    @Test func identifiersAreUnique() {
        let all = Self.serverFailures + Self.clientOnlyFailures
        #expect(Set(all.map(\.identifier)).count == all.count)
    }

    @Test(arguments: serverFailures + clientOnlyFailures)
    func descriptionIsOnePlainSentence(failure: HandshakeFailure) {
        let text = failure.description
        #expect(!text.isEmpty)
        #expect(!text.contains("\n"))
        #expect(text.first?.isLowercase == true)
    }

    @Test func descriptionsNameWhatWasWrong() {
        #expect(
            HandshakeFailure.invalidKeyLength(15).description
                == "the Sec-WebSocket-Key decodes to 15 bytes instead of 16")
        #expect(
            HandshakeFailure.unexpectedStatus(404).description
                == "the server answered with status 404 instead of 101 Switching Protocols"
        )
        #expect(
            HandshakeFailure.unsupportedHTTPVersion(major: 1, minor: 0).description
                == "the request uses HTTP/1.0, but a WebSocket upgrade needs HTTP/1.1 or later"
        )
    }
}
