/// What a connection reports before its opening line is printed (the REPL's `* connected`,
/// --jsonl's `open`), held until then so that the output keeps the order of events. Keep it
/// in the connection's locked state; everything is printed on the connection's loop.
struct HeldUntilOpen<Item> {
    private(set) var isOpen = false
    private var held: [Item] = []

    /// `item` when it may be printed now; otherwise it is held and `nil` comes back.
    mutating func pass(_ item: Item) -> Item? {
        if isOpen { return item }
        held.append(item)
        return nil
    }

    /// The opening line is out: what was held, in order, to print after it.
    mutating func open() -> [Item] {
        isOpen = true
        defer { held = [] }
        return held
    }
}
