// Amazon's MAC address prefixes, to recognise an Echo on the AP without configuring its MAC.
//
// SNAPSHOT, not a live list. Source: the IEEE Registration Authority's public listings (MA-L
// oui.csv, MA-M mam.csv, MA-S oui36.csv), as compiled into Wireshark's `manuf` file and shipped
// in Debian 12's libwireshark-data 4.0.17-0+deb12u3 (/usr/share/wireshark/manuf): every
// assignment to "Amazon Technologies Inc.", 167 MA-L blocks and 3 smaller ones.
// Amazon keeps registering new blocks; a newer Echo may need `ap.echo.mac`. Other Amazon
// devices (Fire TV, Kindle) share these prefixes, which is why more than one match is reported
// as ambiguous instead of guessed (see echo-finder.ts). Regenerate from a newer manuf file with
// the command in docs/access-point.md.

/** Hex digits of each prefix: 6 for a 24-bit MA-L block, 7 for MA-M (28 bits), 9 for MA-S (36 bits). */
export const AMAZON_OUI_PREFIXES: readonly string[] = [
  '007147', '00bb3a', '00f361', '00fc8b', '0812a5', '0857fb', '086ae5', '087c39', '08849d', '089115',
  '0891a3', '08a6bc', '08c224', '0c43f9', '0c47c9', '0cdc91', '0cee99', '1009f9', '109693', '10ae60',
  '10bf67', '10ce02', '140ac5', '149138', '1848be', '18742e', '1c12b0', '1c4d66', '1c93c4', '1cfe2b',
  '20a171', '20beb8', '20fe00', '244ce3', '24ce33', '2824c9', '2873f6', '28ef01', '2c71ff', '3425be',
  '34afb3', '34d270', '38f73d', '3c5cc4', '3ce441', '40a2db', '40a9cf', '40b4cd', '40f6bc', '440049',
  '443d54', '444201', '44650d', '446d7f', '44b4b2', '44d5cc', '4843dd', '485f2d', '48785e', '48b423',
  '4c1744', '4c53fd', '4cefc0', '5007c3', '50d45c', '50dce7', '50f5da', '589a3e', '58a8e8', '58e488',
  '5c8b6b', '6813f3', '6837e9', '6854fd', '689a87', '68b691', '68dbf5', '68f63b', '6c0c9a', '6c5697',
  '6c999d', '7070aa', '7458f3', '747548', '74a7ea', '74c246', '74d423', '74d637', '74e20c', '74ecb2',
  '786c84', '78a03f', '78e103', '7c6166', '7c6305', '7cd566', '7cedc6', '800cf9', '806d71', '842859',
  '84d6d0', '8871e5', '901195', '90235b', '90395f', '90a822', '90f82e', '943a91', '945afc', '98226e',
  '98ccf3', '9cc8e9', 'a002dc', 'a0d0dc', 'a0d2b1', 'a40801', 'a8ca77', 'a8e621', 'ac416a', 'ac63be',
  'acccfc', 'b0739c', 'b08ba8', 'b0cfcb', 'b0f7c4', 'b0fc0d', 'b47c9c', 'b4b742', 'b4e454', 'b85f98',
  'c08d51', 'c091b9', 'c095cf', 'c49500', 'c86c3d', 'cc9ea2', 'ccf735', 'd4910f', 'd8be65', 'd8fbd6',
  'dc54d7', 'dc91bf', 'dca0d0', 'e0cb1d', 'e0f728', 'e84c4a', 'e8d87e', 'ec0de4', 'ec2beb', 'ec8ac4',
  'eca138', 'f0272d', 'f02f9e', 'f04f7c', 'f08173', 'f0a225', 'f0d2f1', 'f0f0a4', 'f4032a', 'f854b8',
  'f8fce1', 'fc492d', 'fc65de', 'fca183', 'fca667', 'fcd749', 'fce9d8',
  '200a0db', '70b3d5270', '70b3d5e6f',
];

const BY_LENGTH = new Map<number, Set<string>>();
for (const prefix of AMAZON_OUI_PREFIXES) {
  const set = BY_LENGTH.get(prefix.length) ?? new Set<string>();
  set.add(prefix);
  BY_LENGTH.set(prefix.length, set);
}

/** True when the MAC (any case, ':' or '-' separated) falls in a block assigned to Amazon. */
export function isAmazonMac(mac: string): boolean {
  const hex = mac.toLowerCase().replace(/[:-]/g, '');
  for (const [length, set] of BY_LENGTH) if (set.has(hex.slice(0, length))) return true;
  return false;
}
