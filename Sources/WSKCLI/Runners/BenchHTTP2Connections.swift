import NIOConcurrencyHelpers
import NIOCore
import WSKNIO

/// `wsk bench --http2 --streams-per-connection N`: the HTTP/2 connections the run's
/// WebSockets share. Each connection takes N streams, in the order they are opened, then
/// the next one is dialled; a connection closes when all of its N have closed (or at the
/// end of the run). A connection that failed, or died, takes no more streams.
final class BenchHTTP2Connections: @unchecked Sendable {
    struct Slot {
        var connection: Task<HTTP2ClientConnection, Error>
        var opened = 0
        var live = 0
    }

    struct State {
        var slots: [Int: Slot] = [:]
        /// The slot being filled.
        var current: Int? = nil
        var nextSlot = 0
        /// TCP connections dialled, and the most open at once.
        var dialled = 0
    }

    let streamsPerConnection: Int
    let state = NIOLockedValueBox(State())

    init(streamsPerConnection: Int) {
        self.streamsPerConnection = streamsPerConnection
    }

    /// A connection with room for one more stream: the one being filled, or a new one
    /// (`dial` runs once per connection). `isNew` for the stream that dialled it.
    func acquire(_ dial: @escaping @Sendable () async throws -> HTTP2ClientConnection) -> (slot: Int, connection: Task<HTTP2ClientConnection, Error>, isNew: Bool) {
        state.withLockedValue { state in
            if let current = state.current, var slot = state.slots[current], slot.opened < streamsPerConnection {
                slot.opened += 1
                slot.live += 1
                state.slots[current] = slot
                return (current, slot.connection, false)
            }
            let id = state.nextSlot
            state.nextSlot += 1
            state.dialled += 1
            let slot = Slot(connection: Task { try await dial() }, opened: 1, live: 1)
            state.slots[id] = slot
            state.current = id
            return (id, slot.connection, true)
        }
    }

    /// A stream of `slot` closed, or failed to open (`failed`: its connection takes no more).
    func release(_ slot: Int, failed: Bool) {
        let closing = state.withLockedValue { state -> Task<HTTP2ClientConnection, Error>? in
            guard var entry = state.slots[slot] else { return nil }
            entry.live -= 1
            if failed && state.current == slot { state.current = nil }
            let done = entry.live == 0 && (entry.opened >= streamsPerConnection || state.current != slot)
            if done {
                state.slots.removeValue(forKey: slot)
                if state.current == slot { state.current = nil }
                return entry.connection
            }
            state.slots[slot] = entry
            return nil
        }
        if let closing {
            Task { (try? await closing.value)?.close() }
        }
    }

    /// Closes every connection (the end of the run).
    func closeAll() {
        let tasks = state.withLockedValue { state -> [Task<HTTP2ClientConnection, Error>] in
            defer {
                state.slots = [:]
                state.current = nil
            }
            return state.slots.values.map(\.connection)
        }
        for task in tasks {
            Task { (try? await task.value)?.close() }
        }
    }

    var dialled: Int { state.withLockedValue { $0.dialled } }
}
