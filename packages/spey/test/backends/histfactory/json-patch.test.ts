/** JSON Patch (RFC 6902) and JSON Pointer (RFC 6901): the examples of RFC 6902 Appendix A. */
import { describe, expect, it } from "vitest";
import { JsonPatchError } from "../../../src/backends/histfactory/errors.js";
import {
  applyJsonPatch,
  parseJsonPointer,
  toJsonPointer,
  validateJsonPatch,
} from "../../../src/backends/histfactory/json-patch.js";

describe("RFC 6902 Appendix A", () => {
  const cases: [string, unknown, unknown, unknown][] = [
    [
      "A.1 adding an object member",
      { foo: "bar" },
      [{ op: "add", path: "/baz", value: "qux" }],
      { baz: "qux", foo: "bar" },
    ],
    [
      "A.2 adding an array element",
      { foo: ["bar", "baz"] },
      [{ op: "add", path: "/foo/1", value: "qux" }],
      { foo: ["bar", "qux", "baz"] },
    ],
    ["A.3 removing an object member", { baz: "qux", foo: "bar" }, [{ op: "remove", path: "/baz" }], { foo: "bar" }],
    [
      "A.4 removing an array element",
      { foo: ["bar", "qux", "baz"] },
      [{ op: "remove", path: "/foo/1" }],
      { foo: ["bar", "baz"] },
    ],
    [
      "A.5 replacing a value",
      { baz: "qux", foo: "bar" },
      [{ op: "replace", path: "/baz", value: "boo" }],
      { baz: "boo", foo: "bar" },
    ],
    [
      "A.6 moving a value",
      { foo: { bar: "baz", waldo: "fred" }, qux: { corge: "grault" } },
      [{ op: "move", from: "/foo/waldo", path: "/qux/thud" }],
      { foo: { bar: "baz" }, qux: { corge: "grault", thud: "fred" } },
    ],
    [
      "A.7 moving an array element",
      { foo: ["all", "grass", "cows", "eat"] },
      [{ op: "move", from: "/foo/1", path: "/foo/3" }],
      { foo: ["all", "cows", "eat", "grass"] },
    ],
    [
      "A.8 testing a value: success",
      { baz: "qux", foo: ["a", 2, "c"] },
      [
        { op: "test", path: "/baz", value: "qux" },
        { op: "test", path: "/foo/1", value: 2 },
      ],
      { baz: "qux", foo: ["a", 2, "c"] },
    ],
    [
      "A.10 adding a nested member object",
      { foo: "bar" },
      [{ op: "add", path: "/child", value: { grandchild: {} } }],
      { foo: "bar", child: { grandchild: {} } },
    ],
    [
      "A.11 ignoring unrecognised elements",
      { foo: "bar" },
      [{ op: "add", path: "/baz", value: "qux", xyz: 123 }],
      { foo: "bar", baz: "qux" },
    ],
    ["A.14 ~ escape ordering", { "/": 9, "~1": 10 }, [{ op: "test", path: "/~01", value: 10 }], { "/": 9, "~1": 10 }],
    [
      "A.16 adding an array value",
      { foo: ["bar"] },
      [{ op: "add", path: "/foo/-", value: ["abc", "def"] }],
      { foo: ["bar", ["abc", "def"]] },
    ],
    ["copy", { a: { b: [1] } }, [{ op: "copy", from: "/a/b", path: "/c" }], { a: { b: [1] }, c: [1] }],
    ["replace the whole document", { a: 1 }, [{ op: "replace", path: "", value: [1, 2] }], [1, 2]],
  ];
  for (const [name, doc, patch, result] of cases) {
    it(name, () => {
      const before = JSON.stringify(doc);
      expect(applyJsonPatch(doc, patch)).toEqual(result);
      expect(JSON.stringify(doc)).toBe(before); // the input is never modified
    });
  }

  it("A.9 testing a value: error", () => {
    expect(() => applyJsonPatch({ baz: "qux" }, [{ op: "test", path: "/baz", value: "bar" }])).toThrow(
      'patch[0] (test /baz): test failed: the value at "/baz" is "qux", not "bar".',
    );
  });

  it("A.12 adding to a nonexistent target", () => {
    expect(() => applyJsonPatch({ foo: "bar" }, [{ op: "add", path: "/baz/bat", value: "qux" }])).toThrow(
      /patch\[0\] \(add \/baz\/bat\): the document has no member "baz"/,
    );
  });

  it("A.15 comparing strings and numbers", () => {
    expect(() => applyJsonPatch({ "/": 9, "~1": 10 }, [{ op: "test", path: "/~01", value: "10" }])).toThrow(
      JsonPatchError,
    );
  });

  it("is atomic: a failing operation leaves no partial result and names its index", () => {
    const doc = { channels: [{ name: "A" }] };
    try {
      applyJsonPatch(doc, [
        { op: "add", path: "/channels/1", value: { name: "B" } },
        { op: "remove", path: "/channels/5" },
      ]);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(JsonPatchError);
      expect((error as JsonPatchError).operationIndex).toBe(1);
      expect((error as Error).message).toBe(
        "patch[1] (remove /channels/5): index 5 is out of range in /channels, which has 2 entries.",
      );
    }
    expect(doc).toEqual({ channels: [{ name: "A" }] });
  });

  it("rejects malformed patch documents with the member at fault", () => {
    expect(() => validateJsonPatch({ op: "add" })).toThrow(
      "patch: a JSON Patch must be an array of operations; got an object.",
    );
    expect(() => validateJsonPatch([{ op: "append", path: "/a" }])).toThrow(
      /patch\[0\]\.op: expected one of add, remove/,
    );
    expect(() => validateJsonPatch([{ op: "add", path: "a", value: 1 }])).toThrow(
      /patch\[0\]\.path: "a" is not a JSON Pointer/,
    );
    expect(() => validateJsonPatch([{ op: "add", path: "/a" }], "signalPatch")).toThrow(
      'signalPatch[0]: operation "add" needs a "value".',
    );
    expect(() => validateJsonPatch([{ op: "move", path: "/a" }])).toThrow(
      /patch\[0\]\.from: operation "move" needs a "from"/,
    );
    expect(() => applyJsonPatch({ a: [1] }, [{ op: "add", path: "/a/01", value: 2 }])).toThrow(
      /"01" is not an array index/,
    );
    expect(() => applyJsonPatch({ a: { b: 1 } }, [{ op: "move", from: "/a", path: "/a/b/c" }])).toThrow(
      /into its own child/,
    );
  });

  it("JSON Pointer escaping (RFC 6901)", () => {
    expect(parseJsonPointer("")).toEqual([]);
    expect(parseJsonPointer("/a~1b/m~0n/0")).toEqual(["a/b", "m~n", "0"]);
    expect(toJsonPointer(["a/b", "m~n", 0])).toBe("/a~1b/m~0n/0");
    expect(() => parseJsonPointer("/a~2")).toThrow(/invalid escape/);
  });
});
