// The plain 16-byte value every stack slot, global and container holds: a tag and 64 bits.

/// The dynamic type of a value. Object tags point to a heap object through `bits`.
enum Tag: UInt8 {
    case undefined = 0  // an unset global slot: never visible to programs
    case `nil`, bool, int, float
    // heap objects from here on
    case string, list, map, range, closure, native, boundMethod
    case coroutine, task, channel, error, iterator
    case listener, connection
}

/// A CoLang value. Copying it never touches reference counts: objects are owned by the `Heap`
/// and referenced here through an unmanaged pointer. Sound because the heap holds every object
/// strongly until a sweep, and a sweep (only at safe points) frees only objects that no root
/// reaches: every value still in use is then in a root (a stack, a global, a task, a prototype).
struct Value {
    var tag: Tag
    var bits: UInt64

    @inline(__always) init(tag: Tag, bits: UInt64) { self.tag = tag; self.bits = bits }
    @inline(__always) init(_ i: Int64) { tag = .int; bits = UInt64(bitPattern: i) }
    @inline(__always) init(_ d: Double) { tag = .float; bits = d.bitPattern }
    @inline(__always) init(_ b: Bool) { tag = .bool; bits = b ? 1 : 0 }
    @inline(__always) init(object: Obj, tag: Tag) {
        self.tag = tag
        self.bits = UInt64(UInt(bitPattern: Unmanaged.passUnretained(object).toOpaque()))
    }

    static let `nil` = Value(tag: .nil, bits: 0)
    static let undefined = Value(tag: .undefined, bits: 0)
    static let `true` = Value(true)
    static let `false` = Value(false)

    @inline(__always) var isNil: Bool { tag == .nil }
    @inline(__always) var isObject: Bool { tag.rawValue >= Tag.string.rawValue }
    @inline(__always) var isFalsy: Bool { tag == .nil || (tag == .bool && bits == 0) }
    @inline(__always) var asInt: Int64 { Int64(bitPattern: bits) }
    @inline(__always) var asFloat: Double { Double(bitPattern: bits) }
    @inline(__always) var asBool: Bool { bits != 0 }

    /// The heap object; only valid when `isObject` (object values never hold a null pointer).
    @inline(__always) var object: Obj {
        Unmanaged<Obj>.fromOpaque(UnsafeRawPointer(bitPattern: UInt(bits)).unsafelyUnwrapped).takeUnretainedValue()
    }
    @inline(__always) func obj<T: Obj>(_: T.Type) -> T {
        Unmanaged<T>.fromOpaque(UnsafeRawPointer(bitPattern: UInt(bits)).unsafelyUnwrapped).takeUnretainedValue()
    }
    /// `body` with the object, without retaining it: for hot paths, where the value is known to
    /// be alive (on a stack, or held by a live object) for the whole call.
    /// (Sound because only a collection frees an object, and collections wait for a safe point
    /// of the dispatch loop, which `body` is not; `obj` and `as...` instead cost a retain and a
    /// release, two atomic operations, per use.)
    @inline(__always) func unretained<T: Obj, R>(_: T.Type, _ body: (T) -> R) -> R {
        Unmanaged<T>.fromOpaque(UnsafeRawPointer(bitPattern: UInt(bits)).unsafelyUnwrapped)._withUnsafeGuaranteedRef(body)
    }
    /// `unretained` for a body that throws. `body` must not collect: it runs no program code.
    @inline(__always) func unretained<T: Obj, R, E: Error>(_: T.Type, throwing body: (T) throws(E) -> R) throws(E) -> R {
        // `_withUnsafeGuaranteedRef` rethrows untyped errors; the cast gives back the `E` that
        // only `body` can throw. (Wrapping the body in a `Result` instead, to call the
        // non-throwing form, kept two closure calls per use, on `slice`, `len` and channels.)
        do {
            return try Unmanaged<T>.fromOpaque(UnsafeRawPointer(bitPattern: UInt(bits)).unsafelyUnwrapped)._withUnsafeGuaranteedRef(body)
        } catch {
            throw error as! E
        }
    }
    @inline(__always) var asString: StrObj { self.obj(StrObj.self) }
    @inline(__always) var asList: ListObj { self.obj(ListObj.self) }
    @inline(__always) var asMap: MapObj { self.obj(MapObj.self) }
    @inline(__always) var asClosure: ClosureObj { self.obj(ClosureObj.self) }
    @inline(__always) var asCoroutine: Fiber { self.obj(Fiber.self) }
    @inline(__always) var asTask: TaskObj { self.obj(TaskObj.self) }
    @inline(__always) var asChannel: ChannelObj { self.obj(ChannelObj.self) }
    @inline(__always) var asError: ErrorObj { self.obj(ErrorObj.self) }
    @inline(__always) var asSocket: SocketObj { self.obj(SocketObj.self) }

    /// Same tag and bits: identity for objects, exact equality for scalars.
    @inline(__always) func identical(_ o: Value) -> Bool { tag == o.tag && bits == o.bits }

    /// The name `type(x)` returns.
    var typeName: String {
        switch tag {
        case .undefined, .nil: return "nil"
        case .bool: return "bool"
        case .int: return "int"
        case .float: return "float"
        case .string: return "string"
        case .list: return "list"
        case .map: return "map"
        case .range: return "range"
        case .closure, .native, .boundMethod: return "function"
        case .coroutine: return "coroutine"
        case .task: return "task"
        case .channel: return "channel"
        case .error: return "error"
        case .iterator: return "iterator"
        case .listener: return "listener"
        case .connection: return "connection"
        }
    }
}
