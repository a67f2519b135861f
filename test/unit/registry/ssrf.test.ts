import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseIPv4, parseIPv6 } from "../../../src/registry/ip-address";
import { checkUrl, classifyHost, type NetworkPolicy } from "../../../src/registry/ssrf";

const STRICT: NetworkPolicy = { allow_loopback: false, allow_private: false, allow_hosts: [] };

function kindOf(host: string) {
  return classifyHost(host).kind;
}

describe("parseIPv4", () => {
  it("reads every spelling the URL parser accepts as the same address", () => {
    const loopback = 0x7f000001;
    for (const spelling of [
      "127.0.0.1",
      "2130706433",
      "0x7f000001",
      "0X7F000001",
      "017700000001",
      "0x7f.1",
      "127.1",
      "127.0.1",
      "0177.0.0.1",
      "0x7f.0.0.0x1",
      "127.0.0.1.",
    ]) {
      assert.equal(parseIPv4(spelling), loopback, spelling);
    }
  });

  it("returns undefined for names and null for out-of-range numbers", () => {
    assert.equal(parseIPv4("example.com"), undefined);
    assert.equal(parseIPv4("1.2.3.4.example"), undefined);
    assert.equal(parseIPv4("256.0.0.1"), null);
    assert.equal(parseIPv4("1.2.3.4.5"), null);
    assert.equal(parseIPv4("4294967296"), null);
    assert.equal(parseIPv4("09.1.1.1"), null);
  });
});

describe("parseIPv6", () => {
  it("expands compressed forms and embedded IPv4 into eight groups", () => {
    assert.deepEqual(parseIPv6("::1"), [0, 0, 0, 0, 0, 0, 0, 1]);
    assert.deepEqual(parseIPv6("fe80::"), [0xfe80, 0, 0, 0, 0, 0, 0, 0]);
    assert.deepEqual(parseIPv6("::ffff:127.0.0.1"), [0, 0, 0, 0, 0, 0xffff, 0x7f00, 1]);
    assert.deepEqual(parseIPv6("1:2:3:4:5:6:7:8"), [1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it("rejects malformed addresses", () => {
    for (const bad of ["1::2::3", "1:2:3:4:5:6:7:8:9", "12345::", "::ffff:1.2.3", "::ffff:01.2.3.4", "g::1"]) {
      assert.equal(parseIPv6(bad), undefined, bad);
    }
  });
});

describe("classifyHost", () => {
  it("classifies the odd spellings of 127.0.0.1 as loopback", () => {
    for (const host of [
      "127.0.0.1",
      "[::ffff:127.0.0.1]",
      "::ffff:7f00:1",
      "2130706433",
      "0x7f.1",
      "127.1",
      "0177.0.0.1",
      "127.0.0.1.",
      "%31%32%37.0.0.1",
      "１２７.０.０.１",
      "127。0。0。1",
      "[::127.0.0.1]",
      "[::ffff:0:127.0.0.1]",
      "[2002:7f00:1::]",
      "[64:ff9b::127.0.0.1]",
    ]) {
      assert.equal(kindOf(host), "loopback", host);
    }
  });

  it("classifies IPv6 loopback, unspecified and zone-id link-local addresses", () => {
    assert.equal(kindOf("[::1]"), "loopback");
    assert.equal(kindOf("[0:0:0:0:0:0:0:1]"), "loopback");
    assert.equal(kindOf("[::]"), "unspecified");
    assert.equal(kindOf("[fe80::1%25eth0]"), "link-local");
    assert.equal(kindOf("fe80::1%eth0"), "link-local");
  });

  it("classifies private, shared and unique-local ranges as private", () => {
    for (const host of [
      "10.0.0.1",
      "172.16.0.1",
      "172.31.255.255",
      "192.168.1.1",
      "100.64.0.1",
      "[fd12::1]",
      "[fc00::1]",
    ]) {
      assert.equal(kindOf(host), "private", host);
    }
    assert.equal(kindOf("172.32.0.1"), "public");
    assert.equal(kindOf("100.128.0.1"), "public");
  });

  it("classifies cloud metadata addresses and names as metadata, whatever the spelling", () => {
    for (const host of [
      "169.254.169.254",
      "0xa9fea9fe",
      "2852039166",
      "169.254.43518",
      "[::ffff:169.254.169.254]",
      "[fd00:ec2::254]",
      "metadata.google.internal",
      "METADATA.GOOGLE.INTERNAL.",
      "100.100.100.200",
    ]) {
      assert.equal(kindOf(host), "metadata", host);
    }
    assert.equal(kindOf("169.254.1.1"), "link-local");
  });

  it("classifies unspecified, broadcast, multicast and reserved addresses", () => {
    assert.equal(kindOf("0.0.0.0"), "unspecified");
    assert.equal(kindOf("0"), "unspecified");
    assert.equal(kindOf("255.255.255.255"), "broadcast");
    assert.equal(kindOf("224.0.0.1"), "multicast");
    assert.equal(kindOf("[ff02::1]"), "multicast");
    assert.equal(kindOf("240.0.0.1"), "reserved");
    assert.equal(kindOf("192.0.2.1"), "reserved");
    assert.equal(kindOf("[2001:db8::1]"), "reserved");
  });

  it("classifies localhost names, private-use suffixes and single labels by name", () => {
    assert.equal(kindOf("localhost"), "loopback");
    assert.equal(kindOf("LocalHost."), "loopback");
    assert.equal(kindOf("api.localhost"), "loopback");
    assert.equal(kindOf("app.lvh.me"), "loopback");
    assert.equal(kindOf("printer.local"), "private");
    assert.equal(kindOf("db.internal"), "private");
    assert.equal(kindOf("intranet"), "private");
  });

  it("classifies names that embed a non-public address by that address", () => {
    assert.equal(kindOf("127.0.0.1.nip.io"), "loopback");
    assert.equal(kindOf("7f000001.nip.io"), "loopback");
    assert.equal(kindOf("app-127-0-0-1.sslip.io"), "loopback");
    assert.equal(kindOf("169.254.169.254.example.com"), "metadata");
    assert.equal(kindOf("10.1.2.3.example.com"), "private");
    assert.equal(kindOf("8.8.8.8.nip.io"), "public");
  });

  it("classifies ordinary public names and addresses as public", () => {
    for (const host of ["example.com", "api.github.com", "8.8.8.8", "[2606:4700:4700::1111]", "[::ffff:8.8.8.8]"]) {
      assert.equal(kindOf(host), "public", host);
    }
  });

  it("classifies what is not a host as invalid", () => {
    for (const host of ["", "[::1", "a b", "user@host", "256.256.256.256", "1.2.3.4.5", "[not:ipv6]"]) {
      assert.equal(kindOf(host), "invalid", JSON.stringify(host));
    }
  });

  it("normalizes IPv4 to a dotted quad and IPv6 to RFC 5952 text", () => {
    assert.equal(classifyHost("0x7f.1").host, "127.0.0.1");
    assert.equal(classifyHost("[0:0:0:0:0:ffff:7f00:0001]").host, "::ffff:7f00:1");
    assert.equal(classifyHost("[FD00:EC2:0::254]").host, "fd00:ec2::254");
  });
});

describe("checkUrl", () => {
  it("refuses loopback by default and names the setting that allows it", () => {
    const v = checkUrl("http://127.0.0.1:8080/mcp", STRICT);
    assert.equal(v.ok, false);
    assert.match(!v.ok ? v.reason : "", /127\.0\.0\.1 is a loopback address .*network\.allow_loopback/);
  });

  it("refuses each odd spelling from the threat model before any connection", () => {
    for (const url of [
      "http://[::ffff:127.0.0.1]/mcp",
      "http://2130706433/mcp",
      "http://0x7f.1/mcp",
      "http://169.254.169.254/latest/meta-data/",
      "http://localhost:3000/mcp",
      "http://[::1]:3000/",
      "http://metadata.google.internal/computeMetadata/v1/",
    ]) {
      assert.equal(checkUrl(url, STRICT).ok, false, url);
    }
  });

  it("allows loopback with allow_loopback and private ranges with allow_private", () => {
    assert.equal(checkUrl("http://127.0.0.1:8080/mcp", { ...STRICT, allow_loopback: true }).ok, true);
    assert.equal(checkUrl("http://localhost:8080/mcp", { ...STRICT, allow_loopback: true }).ok, true);
    assert.equal(checkUrl("http://10.0.0.5/mcp", { ...STRICT, allow_loopback: true }).ok, false);
    assert.equal(checkUrl("http://10.0.0.5/mcp", { ...STRICT, allow_private: true }).ok, true);
    assert.equal(checkUrl("http://[fe80::1]/mcp", { ...STRICT, allow_private: true }).ok, true);
  });

  it("keeps metadata endpoints refused under allow_private and allow_loopback", () => {
    const open = { allow_loopback: true, allow_private: true, allow_hosts: [] };
    assert.equal(checkUrl("http://169.254.169.254/", open).ok, false);
    assert.equal(checkUrl("http://[fd00:ec2::254]/", open).ok, false);
    assert.equal(checkUrl("http://0.0.0.0:8080/", open).ok, false);
  });

  it("allows a host listed in allow_hosts, matched after normalization", () => {
    const policy = { ...STRICT, allow_hosts: ["127.0.0.1", "Mcp.Corp.Internal."] };
    assert.equal(checkUrl("http://0x7f.1:9000/mcp", policy).ok, true);
    assert.equal(checkUrl("https://mcp.corp.internal/mcp", policy).ok, true);
    assert.equal(checkUrl("http://127.0.0.2/mcp", policy).ok, false);
  });

  it("refuses schemes other than http and https", () => {
    for (const url of ["file:///etc/passwd", "ftp://example.com/", "gopher://example.com/", "data:text/plain,hi"]) {
      assert.equal(checkUrl(url, STRICT).ok, false, url);
    }
  });

  it("allows public https URLs and never echoes their credentials in a refusal", () => {
    assert.equal(checkUrl("https://api.example.com/mcp", STRICT).ok, true);
    const v = checkUrl("http://user:secret-token@127.0.0.1/mcp", STRICT);
    assert.equal(v.ok, false);
    assert.doesNotMatch(!v.ok ? v.reason : "", /secret-token/);
  });
});
