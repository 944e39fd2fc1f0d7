package datakit

// NodeTypes are the node types a config's nodes may have ("branch", "cache", "call", ...),
// sorted: what a node's "type" names.
func NodeTypes() []string { return sortedKeys(nodeFields) }
