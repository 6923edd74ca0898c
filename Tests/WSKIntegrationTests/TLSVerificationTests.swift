import Foundation
import Testing

/// A test CA, a server certificate it signed for `localhost` and `127.0.0.1`, an expired one,
/// and a second CA that signed nothing here; made with openssl in a temporary directory.
final class TestPKI: @unchecked Sendable {
    let directory: String

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("wsk-pki-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let config = """
            [ca]
            default_ca = d
            [d]
            database = index
            new_certs_dir = .
            serial = serial
            default_md = sha256
            policy = p
            unique_subject = no
            [p]
            commonName = supplied
            [leaf]
            subjectAltName = DNS:localhost,IP:127.0.0.1
            """
        try Data(config.utf8).write(to: URL(fileURLWithPath: directory + "/ca.cnf"))
        let script = """
            cd '\(directory)' && touch index && echo 01 > serial &&
            openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj /CN=wsk-test-ca -addext basicConstraints=critical,CA:true &&
            openssl req -x509 -newkey rsa:2048 -nodes -keyout other-ca.key -out other-ca.pem -days 2 -subj /CN=other-ca -addext basicConstraints=critical,CA:true &&
            openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj /CN=localhost &&
            openssl ca -batch -config ca.cnf -cert ca.pem -keyfile ca.key -in server.csr -out server.pem -days 1 -extensions leaf -notext &&
            openssl ca -batch -config ca.cnf -cert ca.pem -keyfile ca.key -in server.csr -out expired.pem -startdate 20200101000000Z -enddate 20200102000000Z -extensions leaf -notext
            """
        let made = try shell(script + " 2>&1")
        guard made.status == 0 else { throw TestFailure("openssl could not make the test PKI: \(made.stdout)") }
    }

    func path(_ name: String) -> String { directory + "/" + name }

    deinit { try? FileManager.default.removeItem(atPath: directory) }
}

/// `wsk connect` verifies the server's certificate: the chain against the CA, the dates, and
/// the name — the URL's host, or `--tls-server-name` when given (for SNI and the check
/// alike); `--insecure` turns verification off.
@Suite("connect: TLS verification", .serialized, .timeLimit(.minutes(3)))
struct TLSVerificationTests {
    @Test func theCertificateIsCheckedAgainstTheNameTheUserGave() throws {
        let pki = try TestPKI()
        let server = try EchoServerProcess(["--tls-cert", pki.path("server.pem"), "--tls-key", pki.path("server.key")])
        let ca = pki.path("ca.pem")
        func connect(_ flags: String, host: String = "127.0.0.1") throws -> (status: Int32, stdout: String, stderr: String) {
            try shell("WSK connect --cacert '\(ca)' \(flags) wss://\(host):\(server.port)/ -x ok --exit-after 1 < /dev/null")
        }
        // The certificate names localhost and 127.0.0.1.
        #expect(try connect("").stdout == "ok\n")
        #expect(try connect("", host: "localhost").stdout == "ok\n")
        #expect(try connect("--tls-server-name localhost").stdout == "ok\n")
        #expect(try connect("--tls-server-name 127.0.0.1", host: "localhost").stdout == "ok\n")
        // A name the certificate does not carry is refused, even though the address
        // connected to is in it (this was accepted: NIOSSL matched the socket's IP).
        let other = try connect("--tls-server-name other.example")
        #expect(other.status == 1)
        #expect(
            other.stderr == "wsk: cannot connect to 127.0.0.1:\(server.port): TLS: the server's certificate is not valid for other.example (it names localhost, 127.0.0.1); check --tls-server-name, or use --insecure\n",
            "\(other.stderr)")
        let otherIP = try connect("--tls-server-name 10.9.8.7")
        #expect(otherIP.status == 1, "\(otherIP.stderr)")
        // --insecure checks nothing.
        #expect(try connect("--insecure --tls-server-name other.example").stdout == "ok\n")
    }

    @Test func anExpiredCertificateOrAnotherCAIsRefused() throws {
        let pki = try TestPKI()
        let expired = try EchoServerProcess(["--tls-cert", pki.path("expired.pem"), "--tls-key", pki.path("server.key")])
        let stale = try shell("WSK connect --cacert '\(pki.path("ca.pem"))' wss://localhost:\(expired.port)/ -x no --exit-after 1 < /dev/null")
        #expect(stale.status == 1)
        #expect(stale.stderr.contains("TLS: certificate verify failed"), "\(stale.stderr)")
        #expect(stale.stdout.isEmpty)
        let insecure = try shell("WSK connect --insecure wss://localhost:\(expired.port)/ -x anyway --exit-after 1 < /dev/null")
        #expect(insecure.stdout == "anyway\n", "\(insecure.stderr)")

        let valid = try EchoServerProcess(["--tls-cert", pki.path("server.pem"), "--tls-key", pki.path("server.key")])
        let wrongCA = try shell("WSK connect --cacert '\(pki.path("other-ca.pem"))' wss://localhost:\(valid.port)/ -x no --exit-after 1 < /dev/null")
        #expect(wrongCA.status == 1)
        #expect(wrongCA.stderr.contains("TLS: certificate verify failed"), "\(wrongCA.stderr)")
        // The same wrong CA with an explicit name: still the chain that fails.
        let wrongCANamed = try shell(
            "WSK connect --cacert '\(pki.path("other-ca.pem"))' --tls-server-name localhost wss://127.0.0.1:\(valid.port)/ -x no --exit-after 1 < /dev/null")
        #expect(wrongCANamed.status == 1)
        #expect(wrongCANamed.stderr.contains("TLS: certificate verify failed"), "\(wrongCANamed.stderr)")
    }
}
