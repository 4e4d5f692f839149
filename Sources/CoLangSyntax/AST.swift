// The abstract syntax tree: what the parser builds and the compiler walks.

/// Binary arithmetic and comparison operators.
public enum BinaryOp: Sendable {
    case add, sub, mul, div, floorDiv, mod
    case pow, bitAnd, bitOr, bitXor, shiftLeft, shiftRight
    case eq, ne, lt, le, gt, ge
}

/// Prefix operators.
public enum UnaryOp: Sendable { case neg, not, bitNot }

/// Short-circuit operators; they return one of their operands.
public enum LogicalOp: Sendable { case and, or }

/// Compound assignment operators (`+=` and friends).
public enum CompoundOp: Sendable { case add, sub, mul, div, floorDiv, mod }

/// One part of an interpolated string.
public enum InterpolationPart {
    case text(String)
    case expr(Expr)
}

/// A function literal or declaration.
public final class FunctionDecl {
    /// `nil` for an anonymous `fn (...) { }` expression.
    public var name: String?
    public var params: [(name: String, loc: SourceLoc)]
    public var body: [Stmt]
    /// Location of the `fn` keyword.
    public var loc: SourceLoc
    /// Location of the closing `}` (where an implicit `return nil` happens).
    public var endLoc: SourceLoc
    public init(name: String?, params: [(name: String, loc: SourceLoc)], body: [Stmt], loc: SourceLoc, endLoc: SourceLoc) {
        self.name = name; self.params = params; self.body = body; self.loc = loc; self.endLoc = endLoc
    }
}

/// An expression node. `loc` is where a runtime error in this node is reported:
/// the operator for unary/binary/logical, `(` for a call, `[` for an index, the name after `.` for
/// a field or method, and the first token otherwise.
public indirect enum ExprKind {
    case nilLit
    case boolLit(Bool)
    case intLit(Int64)
    case floatLit(Double)
    case string(String)
    case interpolation([InterpolationPart])
    case name(String)
    case list([Expr])
    /// Keys are expressions; a bare identifier key `{a: 1}` arrives as `.string("a")`.
    case map([(key: Expr, value: Expr)])
    case unary(UnaryOp, Expr)
    case binary(BinaryOp, Expr, Expr)
    case logical(LogicalOp, Expr, Expr)
    /// A long flat chain of one precedence level, `a + b - c + …` or `p or q or …`
    /// (`Parser.longChain` links or more; shorter ones are `.binary`/`.logical` trees). It means
    /// the same left-leaning tree, kept flat so that neither the compiler nor freeing the tree
    /// recurses once per link: a flat chain is not nesting.
    case chain(first: Expr, links: [ChainLink])
    case call(callee: Expr, args: [Expr])
    case index(object: Expr, index: Expr)
    case field(object: Expr, name: String)
    case method(object: Expr, name: String, args: [Expr])
    case function(FunctionDecl)
    /// `yield` with an optional operand (`nil` operand yields `nil`).
    case yield(Expr?)
    case yieldFrom(Expr)
    /// `spawn EXPR`: the operand is a `.call` / `.method` (spawn that call) or any other
    /// expression (spawn it as a zero-argument function).
    case spawn(Expr)
}

/// One `op operand` of a `.chain`; `loc` is the operator's.
public struct ChainLink {
    public enum Op { case binary(BinaryOp), logical(LogicalOp) }
    public var op: Op
    public var operand: Expr
    public var loc: SourceLoc
}

public struct Expr {
    public var kind: ExprKind
    public var loc: SourceLoc
    public init(_ kind: ExprKind, _ loc: SourceLoc) { self.kind = kind; self.loc = loc }
}

/// A statement node.
public indirect enum StmtKind {
    case expr(Expr)
    case `let`(name: String, nameLoc: SourceLoc, value: Expr)
    /// Plain (`op == nil`) or compound assignment. Target is `.name`, `.index` or `.field`.
    case assign(target: Expr, op: CompoundOp?, value: Expr)
    case function(FunctionDecl)
    /// `else if` arrives as an else-branch holding a single `.if` statement.
    case `if`(cond: Expr, then: [Stmt], else: [Stmt]?)
    case `while`(cond: Expr, body: [Stmt])
    case `for`(name: String, nameLoc: SourceLoc, iterable: Expr, body: [Stmt])
    case `break`
    case `continue`
    case `return`(Expr?)
    /// `try` with a `catch`, a `finally` or both (the parser requires at least one).
    case `try`(body: [Stmt], catch: CatchClause?, finally: [Stmt]?)
    case `throw`(Expr)
}

/// `catch [name] { body }`; `loc` is the name's position, or the keyword's without a name.
public struct CatchClause {
    public var name: String?
    public var loc: SourceLoc
    public var body: [Stmt]
    public init(name: String?, loc: SourceLoc, body: [Stmt]) { self.name = name; self.loc = loc; self.body = body }
}

public struct Stmt {
    public var kind: StmtKind
    public var loc: SourceLoc
    public init(_ kind: StmtKind, _ loc: SourceLoc) { self.kind = kind; self.loc = loc }
}
