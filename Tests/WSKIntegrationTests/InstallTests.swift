import Foundation
import Testing

/// `scripts/install.sh` puts the binary, the man pages and the completions where each tool
/// looks under a prefix, and what it installs works there.
@Suite("install")
struct InstallTests {
    @Test func installsIntoAPrefixWhereManAndBashFindThem() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        let prefix = FileManager.default.temporaryDirectory.appendingPathComponent("wsk-prefix-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: prefix) }
        let installed = try shell("'\(root)/scripts/install.sh' --prefix '\(prefix)' --binary '\(Binary.wsk.path)'")
        #expect(installed.status == 0, "\(installed.stderr)")
        let version = try shell("'\(prefix)/bin/wsk' --version")
        #expect(version.status == 0 && !version.stdout.isEmpty, "\(version.stderr)")
        let pages = try FileManager.default.contentsOfDirectory(atPath: prefix + "/share/man/man1").sorted()
        #expect(pages == ["wsk.1", "wsk.bench.1", "wsk.bench.merge.1", "wsk.bench.run.1", "wsk.connect.1", "wsk.frame-dump.1", "wsk.proxy.1", "wsk.serve-echo.1"])
        for page in pages {
            // Rendered without a single warning, and found by name through MANPATH.
            let rendered = try shell("MANWIDTH=80 man -l '\(prefix)/share/man/man1/\(page)' 2>&1 >/dev/null | head -5; MANPATH='\(prefix)/share/man' man -w \(page.dropLast(2))")
            #expect(rendered.stdout == "\(prefix)/share/man/man1/\(page)\n", "\(page): \(rendered.stdout) \(rendered.stderr)")
        }
        let bash = try shell("bash -n '\(prefix)/share/bash-completion/completions/wsk' && bash -c \"source '\(prefix)/share/bash-completion/completions/wsk' && complete -p wsk\"")
        #expect(bash.status == 0 && bash.stdout.contains("wsk"), "\(bash.stdout) \(bash.stderr)")
        #expect(FileManager.default.fileExists(atPath: prefix + "/share/zsh/site-functions/_wsk"))
        #expect(FileManager.default.fileExists(atPath: prefix + "/share/fish/vendor_completions.d/wsk.fish"))
        let bad = try shell("'\(root)/scripts/install.sh' --prefix")
        #expect(bad.status != 0 && bad.stderr.contains("--prefix"), "\(bad.stderr)")
    }
}
