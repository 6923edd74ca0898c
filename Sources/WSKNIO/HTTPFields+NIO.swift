import HTTPTypes
import NIOHTTP1

extension HTTPFields {
    /// Converts NIO's HTTP/1 headers; fields whose names are not valid tokens are dropped
    /// (NIO's parser already rejects them).
    init(_ headers: HTTPHeaders) {
        self.init()
        for (name, value) in headers {
            guard let fieldName = HTTPField.Name(name) else { continue }
            append(HTTPField(name: fieldName, value: value))
        }
    }
}

extension HTTPHeaders {
    /// Converts header fields to NIO's HTTP/1 headers.
    init(_ fields: HTTPFields) {
        self.init()
        for field in fields {
            add(name: field.name.rawName, value: field.value)
        }
    }
}
