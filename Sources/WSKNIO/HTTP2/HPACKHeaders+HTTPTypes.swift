import HTTPTypes
import NIOHPACK
import NIOHTTP1

/// Conversions between HTTP/2 header blocks and the HTTP types the handshake (WSKCore)
/// and the application's hooks (NIOHTTP1's `HTTPRequestHead`) use.
extension HPACKHeaders {
    /// The request in a HEADERS frame: pseudo-header fields (`:method`, `:scheme`,
    /// `:authority`, `:path`, `:protocol`) and the rest. `nil` when `:method` is missing or
    /// not a valid method (NIOHTTP2's validation has already refused most such blocks).
    var httpRequest: HTTPRequest? {
        var method: HTTPRequest.Method?
        var scheme: String?
        var authority: String?
        var path: String?
        var protocolName: String?
        var fields = HTTPFields()
        for (name, value, _) in self {
            switch name {
            case ":method": method = HTTPRequest.Method(value)
            case ":scheme": scheme = value
            case ":authority": authority = value
            case ":path": path = value
            case ":protocol": protocolName = value
            default:
                guard !name.hasPrefix(":"), let fieldName = HTTPField.Name(name) else { continue }
                fields.append(HTTPField(name: fieldName, value: value))
            }
        }
        guard let method else { return nil }
        var request = HTTPRequest(method: method, scheme: scheme, authority: authority, path: path, headerFields: fields)
        request.extendedConnectProtocol = protocolName
        return request
    }

    /// The header block for `request`: pseudo-header fields first (RFC 9113 §8.3), field
    /// names in lower case (RFC 9113 §8.2.1).
    init(_ request: HTTPRequest) {
        var headers: [(String, String)] = [(":method", request.method.rawValue)]
        if let protocolName = request.extendedConnectProtocol { headers.append((":protocol", protocolName)) }
        if let scheme = request.scheme { headers.append((":scheme", scheme)) }
        if let authority = request.authority { headers.append((":authority", authority)) }
        if let path = request.path { headers.append((":path", path)) }
        for field in request.headerFields { headers.append((field.name.canonicalName, field.value)) }
        self.init(headers)
    }

    /// The header block of a response with `status` and `fields`.
    init(status: Int, fields: HTTPFields) {
        var headers: [(String, String)] = [(":status", String(status))]
        for field in fields { headers.append((field.name.canonicalName, field.value)) }
        self.init(headers)
    }

    /// The response status and fields in a HEADERS frame, or `nil` without a valid `:status`.
    var httpResponse: (status: Int, fields: HTTPFields)? {
        guard let status = first(name: ":status").flatMap(Int.init), (100...999).contains(status) else { return nil }
        var fields = HTTPFields()
        for (name, value, _) in self where !name.hasPrefix(":") {
            if let fieldName = HTTPField.Name(name) { fields.append(HTTPField(name: fieldName, value: value)) }
        }
        return (status, fields)
    }
}

extension HTTPRequest {
    /// The request as NIOHTTP1's head, for the application's hooks
    /// (``WebSocketServerApplication/respond(toHTTPRequest:channel:)``, the request
    /// inspection): version 2.0, the path as the URI, `:authority` as the `Host` field.
    var http2RequestHead: HTTPRequestHead {
        var headers = NIOHTTP1.HTTPHeaders()
        if let authority { headers.add(name: "host", value: authority) }
        for field in headerFields { headers.add(name: field.name.canonicalName, value: field.value) }
        return HTTPRequestHead(version: .http2, method: NIOHTTP1.HTTPMethod(rawValue: method.rawValue), uri: path ?? "/", headers: headers)
    }

    /// The request as text, for `--show-handshake`: the pseudo-header fields, then the rest.
    var http2Text: String {
        var text = ":method: \(method.rawValue)\r\n"
        if let extendedConnectProtocol { text += ":protocol: \(extendedConnectProtocol)\r\n" }
        if let scheme { text += ":scheme: \(scheme)\r\n" }
        if let authority { text += ":authority: \(authority)\r\n" }
        if let path { text += ":path: \(path)\r\n" }
        return text + headerFields.map { "\($0.name.canonicalName): \($0.value)\r\n" }.joined()
    }
}

extension HTTPFields {
    /// The fields as text lines, for `--show-handshake`, after `:status: N`.
    func http2ResponseText(status: Int) -> String {
        ":status: \(status)\r\n" + map { "\($0.name.canonicalName): \($0.value)\r\n" }.joined()
    }
}
