#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the terminal on the other end of an output can do.
public enum Terminal {
    /// Whether file descriptor `fd` is a terminal.
    public static func isTTY(_ fd: Int32) -> Bool {
        isatty(fd) != 0
    }

    /// Whether the user asked for no colour: `NO_COLOR` set to anything but the empty
    /// string (https://no-color.org).
    public static func noColorRequested(environment: [String: String]) -> Bool {
        guard let value = environment["NO_COLOR"] else { return false }
        return !value.isEmpty
    }

    /// The process environment.
    public static var environment: [String: String] {
        var result: [String: String] = [:]
        var pointer = environ
        while let entry = pointer.pointee {
            let text = String(cString: entry)
            if let equals = text.firstIndex(of: "=") {
                result[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            pointer += 1
        }
        return result
    }

    /// Whether to colour output written to `fd`: an explicit `--color`/`--no-color` wins;
    /// otherwise colour on a terminal unless `NO_COLOR` is set.
    public static func usesColor(flag: Bool?, fd: Int32 = 1, environment: [String: String] = Terminal.environment) -> Bool {
        if let flag { return flag }
        return isTTY(fd) && !noColorRequested(environment: environment)
    }
}

/// ANSI SGR styles used by the formatters; each wraps text only when colour is on.
struct Style {
    var enabled: Bool

    func apply(_ code: String, _ text: String) -> String {
        enabled ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }

    func dim(_ text: String) -> String { apply("2", text) }
    func bold(_ text: String) -> String { apply("1", text) }
    func red(_ text: String) -> String { apply("1;31", text) }
    func green(_ text: String) -> String { apply("32", text) }
    func yellow(_ text: String) -> String { apply("33", text) }
    func blue(_ text: String) -> String { apply("34", text) }
    func magenta(_ text: String) -> String { apply("35", text) }
    func cyan(_ text: String) -> String { apply("36", text) }
}
