import WSKCore

extension ConnectSession {
    /// --jsonl: one event as a JSON object on one line of stdout. Events that come before
    /// the `open` line (the server spoke at once) wait for it.
    @discardableResult
    func writeJSONLine(_ event: String, _ fields: (inout JSONObject) -> Void) -> Bool {
        var object = JSONObject()
        let openedAt = event == "open" ? state.withLockedValue { $0.openedAt } : nil
        object.string("time", openedAt ?? EventLog.timestamp())
        object.string("event", event)
        fields(&object)
        let line = Array((object.text + "\n").utf8)
        guard event == "open" else {
            guard let line = state.withLockedValue({ $0.early.pass(line) }) else { return true }
            return FileOutput.writeAll(line, to: 1)
        }
        var written = FileOutput.writeAll(line, to: 1)
        for waiting in state.withLockedValue({ $0.early.open() }) where written { written = FileOutput.writeAll(waiting, to: 1) }
        return written
    }
}
