import HTTPTypes

/// Reads `Name: value` lines from arbitrary text into header fields, skipping lines whose
/// name is not a valid field name or whose value is not a valid field value (the HTTP
/// layer rejects those before the handshake sees them).
public func headerFields(from text: Substring) -> HTTPFields {
    var fields = HTTPFields()
    for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
        guard let colon = line.firstIndex(of: ":") else { continue }
        let name = String(line[..<colon])
        let value = line[line.index(after: colon)...].trimmingSpaces()
        guard let fieldName = HTTPField.Name(name), HTTPField.isValidValue(value) else { continue }
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
