import HTTPTypes

/// Reads `Name: value` lines from arbitrary text into header fields the way wsk's NIO layer
/// converts NIO's `HTTPHeaders` (`HTTPFields.init(_: HTTPHeaders)` in WSKNIO): a line whose
/// name is not a valid field name is dropped, and the value goes through `HTTPField`'s
/// lenient initialiser (which replaces characters a field value may not hold), so the
/// handshake code sees every value NIO's parser could hand it.
public func headerFields(from text: Substring) -> HTTPFields {
    var fields = HTTPFields()
    for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
        guard let colon = line.firstIndex(of: ":") else { continue }
        let name = String(line[..<colon])
        let value = line[line.index(after: colon)...].trimmingSpaces()
        guard let fieldName = HTTPField.Name(name) else { continue }
        fields.append(HTTPField(name: fieldName, value: value))
    }
    return fields
}

extension Substring {
    func trimmingSpaces() -> String {
        var slice = self[...]
        while slice.first == " " || slice.first == "\t" || slice.first == "\r" { slice = slice.dropFirst() }
        while slice.last == " " || slice.last == "\t" || slice.last == "\r" { slice = slice.dropLast() }
        return String(slice)
    }
}
