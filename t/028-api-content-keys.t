#!/usr/bin/perl

# Content keys through the Azure Media Services SDK (@azure/arm-mediaservices
# 13.1.0, t/sdk/content-keys.js) over HTTPS: a content key policy with a
# JWT token restriction, a locator of Predefined_ClearKey and one of a
# custom CENC + CBCS policy with a keyToTrackMapping, their
# listContentKeys and listPaths as AMS answers them; after a restart the
# same keys come back (persisted), GET and list show no value, and no key
# value is ever in error.log.  Then Sluice's CPIX export of those
# locators, parsed with XML::LibXML: the kids and values of
# listContentKeys, the DRM systems each scheme signals, the HLS
# signalling and PlayReady header with the right URLs, and the
# reference's test vectors (Widevine and common pssh boxes, the
# 622-byte PlayReady Header Object).
#
# Needs node and the npm packages of t/sdk: `npm ci --prefix t/sdk`.

use strict;
use warnings;

use Test::More;
use IPC::Run ();
use JSON::PP;
use MIME::Base64 qw(decode_base64);
use Encode qw(encode decode);

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::Sluice;

my $t = Test::Sluice->new()->has_program('node');

my $sdk = "$FindBin::Bin/sdk";
$t->skip_all('t/sdk/node_modules missing: run npm ci --prefix t/sdk')
    unless -d "$sdk/node_modules/\@azure/arm-mediaservices";

# the SDK talks HTTPS only
$t->write_sluice_conf(threads => 0, ingest => 0, packager => 0,
    port => 8443, listen => ' ssl', server => <<'EOF2', sluice => <<'EOF3');
ssl_certificate %%CERT%%;
ssl_certificate_key %%CERT_KEY%%;
EOF2
sluice_zone sluice 8m;
sluice_data_path data;
sluice_account sdkaccount;
sluice_api_key %%API_KEY%%;
sluice_transition_time 0;
EOF3

$t->run();

sub sdk {
    my (@args) = @_;
    my $out = '';
    my ($cert) = $t->make_cert();

    local $ENV{NODE_EXTRA_CA_CERTS} = $cert;
    IPC::Run::run(['node', "$sdk/content-keys.js", $args[0],
        'https://127.0.0.1:' . $t->port(8443), $t->api_key(), 'sdkaccount',
        @args[1 .. $#args]],
        '<', \undef, '>&', \$out, IPC::Run::timeout(120));
    return ($? >> 8, $out);
}

my ($rc, $out) = sdk('create');
is($rc, 0, 'SDK: policies, locators, keys, paths') or diag($out);
like($out, qr/^ok listPaths: AMS's envelope paths$/m, 'envelope paths');
like($out, qr/^ok listPaths: AMS's CENC and CBCS paths$/m, 'CENC, CBCS paths');
like($out, qr/^ok the mapping's key has its tracks$/m, 'keyToTrackMapping');

my ($line) = $out =~ /^keys (.*)$/m;
my $keys = decode_json($line // '{}');
my @values = map { $_->{value} } map { @$_ } values %$keys;
is(scalar @values, 4, 'four key values printed');

my $file = $t->write_file('keys.json', "keys $line\n");

$t->stop();
$t->run();

($rc, $out) = sdk('verify', $file);
is($rc, 0, 'SDK after a restart: the same keys, no value in GET or list')
    or diag($out);
like($out, qr/^done$/m, 'all SDK checks passed');

# --- CPIX export ---------------------------------------------------------------

$t->account('sdkaccount');

sub api { my ($m, $p, $d) = @_; return $t->api($m, $p, $d, https => 1) }

subtest 'CPIX export' => sub {
    plan(skip_all => 'XML::LibXML missing (Debian libxml-libxml-perl)')
        unless eval { require XML::LibXML; 1 };

    my $host = '127.0.0.1:' . $t->port(8443);
    my ($T, $F) = (JSON::PP::true, JSON::PP::false);

    my $cpix = sub {
        my ($name, $body) = @_;
        my $r = api(POST => "streamingLocators/$name/exportCpix", $body);
        my $doc = eval { XML::LibXML->load_xml(string => $r->{body}) };
        my $x = $doc ? XML::LibXML::XPathContext->new($doc) : undef;
        if ($x) {
            $x->registerNs(cpix => 'urn:dashif:org:cpix');
            $x->registerNs(pskc => 'urn:ietf:params:xml:ns:keyprov:pskc');
        }
        return ($r, $x);
    };
    my $systems = sub {
        my ($x) = @_;
        return [ sort map { $_->getAttribute('kid') . ' '
            . $_->getAttribute('systemId') } $x->findnodes('//cpix:DRMSystem') ];
    };
    my $data = sub {
        my ($x, $kid, $system, $path) = @_;
        my ($n) = $x->findnodes("//cpix:DRMSystem[\@kid='$kid' and "
            . "\@systemId='$system']/$path");
        return $n ? decode_base64($n->textContent) : undef;
    };

    my %sys = (widevine => 'edef8ba9-79d6-4ace-a3c8-27dcd51d21ed',
        playready => '9a04f079-9840-4286-ab92-e65be0885f95',
        fairplay => '94ce86fb-07ff-4f43-adb8-93d2fa968ca2',
        common => '1077efec-c0b2-4d02-ace3-3c1e52e2fb4b',
        aes128 => '3ea8778f-7742-4bf9-b18b-e834b2acbd47');

    # the custom CENC + CBCS locator of the SDK run

    my ($r, $x) = $cpix->('customLoc');
    is($r->{status}, 200, 'exportCpix: 200');
    like($r->{headers}{'content-type'} // '', qr{^application/xml},
        'application/xml');
    is($r->{headers}{'cache-control'}, 'no-store', 'Cache-Control: no-store');
    ok($x, 'well-formed XML') or diag($r->{body});
    return unless $x;

    my $loc = api(GET => 'streamingLocators/customLoc')->{json}{properties};
    my ($root) = $x->findnodes('/cpix:CPIX');
    ok($root, 'the root is cpix:CPIX');
    is($root->getAttribute('version'), '2.3', 'version 2.3');
    is($root->getAttribute('contentId'), $loc->{streamingLocatorId},
        'contentId: the streamingLocatorId');

    my $ck = $keys->{customLoc};
    is_deeply({ map { $_->getAttribute('kid') => [ $_->getAttribute(
        'commonEncryptionScheme'), $x->findvalue('cpix:Data/pskc:Secret/'
        . 'pskc:PlainValue', $_) ] } $x->findnodes('//cpix:ContentKey') },
        { map { $_->{id} => [ $_->{type} eq 'CommonEncryptionCbcs' ? 'cbcs'
            : 'cenc', $_->{value} ] } @$ck },
        'ContentKeys: the kids, values and schemes of listContentKeys');

    my ($cenc, $audio, $cbcs) = map { $_->{id} } @$ck;
    is_deeply($systems->($x), [ sort "$cenc $sys{widevine}",
        "$cenc $sys{playready}", "$audio $sys{widevine}",
        "$audio $sys{playready}", "$cbcs $sys{fairplay}" ],
        'CENC keys: Widevine and PlayReady; the CBCS key: FairPlay');

    my $wv = $data->($x, $cenc, $sys{widevine}, 'cpix:PSSH');
    is(substr($wv // '', 4, 4), 'pssh', 'Widevine PSSH: a pssh box');
    ok(index($wv // '', pack('H*', $cenc =~ s/-//gr)) > 0, 'with the KID');

    my $pro = $data->($x, $cenc, $sys{playready},
        'cpix:SmoothStreamingProtectionHeaderData');
    my $xml = decode('UTF-16LE', substr($pro // '', 10));
    like($xml, qr{<LA_URL>https://drm\.example/pr/\Q$cenc\E</LA_URL>},
        'PlayReady header: LA_URL from the template, {ContentKeyId} '
        . 'substituted');
    my $prp = $data->($x, $cenc, $sys{playready}, 'cpix:PSSH');
    ok(index($prp // '', $pro // 'none') == 32,
        'PlayReady PSSH: the header object in a pssh box');

    is($data->($x, $cbcs, $sys{fairplay},
        'cpix:HLSSignalingData[@playlist="media"]'),
        qq{#EXT-X-KEY:METHOD=SAMPLE-AES,URI="skd://$host/FairPlay/?kid=$cbcs"}
        . ',KEYFORMAT="com.apple.streamingkeydelivery",KEYFORMATVERSIONS="1"',
        'FairPlay: the media playlist EXT-X-KEY');
    like($data->($x, $cbcs, $sys{fairplay},
        'cpix:HLSSignalingData[@playlist="master"]') // '',
        qr/^#EXT-X-SESSION-KEY:METHOD=SAMPLE-AES,/,
        'FairPlay: the master playlist EXT-X-SESSION-KEY');

    # Predefined_ClearKey, with a key delivery URL

    ($r, $x) = $cpix->('clearkeyLoc', { keyDeliveryUrl =>
        'https://keys.example.com/kd/' });
    is($r->{status}, 200, 'envelope key, keyDeliveryUrl: 200');
    my $aes = $keys->{clearkeyLoc}[0]{id};
    my ($node) = $x ? $x->findnodes('//cpix:ContentKey') : ();
    ok($node && !$node->hasAttribute('commonEncryptionScheme'),
        'an envelope key has no commonEncryptionScheme');
    is_deeply($systems->($x), [ "$aes $sys{aes128}" ],
        'Clear Key AES-128');
    is($data->($x, $aes, $sys{aes128},
        'cpix:HLSSignalingData[@playlist="media"]'),
        qq{#EXT-X-KEY:METHOD=AES-128,URI="https://keys.example.com/kd/?kid=$aes"},
        'the media playlist EXT-X-KEY: the key delivery URL');
    is($data->($x, $aes, $sys{aes128}, 'cpix:URIExtXKey'),
        "https://keys.example.com/kd/?kid=$aes", 'URIExtXKey');

    # the reference's test vectors

    is(api(PUT => 'streamingPolicies/vectors', { properties => {
        commonEncryptionCenc => { enabledProtocols => { download => $F,
            dash => $T, hls => $F, smoothStreaming => $T },
        drm => { widevine => {}, playReady => {
            customLicenseAcquisitionUrlTemplate =>
                'https://keys.example.com/PlayReady/' } },
        clearKeyEncryptionConfiguration => {} } } })->{status}, 201,
        'a CENC policy with Widevine, PlayReady and ClearKey');
    is(api(PUT => 'streamingLocators/vectors', { properties => {
        assetName => 'keysasset', streamingPolicyName => 'vectors',
        defaultContentKeyPolicyName => 'jwtPolicy', contentKeys => [ {
            id => '00112233-4455-6677-8899-aabbccddeeff',
            value => 'AAECAwQFBgcICQoLDA0ODw==' } ] } })->{status}, 201,
        'a locator with the test vector key');
    ($r, $x) = $cpix->('vectors');
    my $kid = '00112233-4455-6677-8899-aabbccddeeff';
    is($x->findvalue('//cpix:ContentKey/cpix:Data/pskc:Secret/'
        . 'pskc:PlainValue'), 'AAECAwQFBgcICQoLDA0ODw==', 'PlainValue');
    is($x->findvalue("//cpix:DRMSystem[\@systemId='$sys{widevine}']"
        . '/cpix:PSSH'), 'AAAAOHBzc2gAAAAA7e+LqXnWSs6jyCfc1R0h7QAAABgSEAAR'
        . 'IjNEVWZ3iJmqu8zd7v9I49yVmwY=', 'Widevine pssh: the vector');
    is($x->findvalue("//cpix:DRMSystem[\@systemId='$sys{common}']"
        . '/cpix:PSSH'), 'AAAANHBzc2gBAAAAEHfv7MCyTQKs4zweUuL7SwAAAAEAESIz'
        . 'RFVmd4iZqrvM3e7/AAAAAA==', 'common (ClearKey) pssh: the vector');
    my $wrm = '<WRMHEADER xmlns="http://schemas.microsoft.com/DRM/2007/03/'
        . 'PlayReadyHeader" version="4.0.0.0"><DATA><PROTECTINFO><KEYLEN>16'
        . '</KEYLEN><ALGID>AESCTR</ALGID></PROTECTINFO><KID>MyIRAFVEd2aImaq7'
        . 'zN3u/w==</KID><CHECKSUM>KpOvXRLUXfs=</CHECKSUM><LA_URL>https://'
        . 'keys.example.com/PlayReady/</LA_URL></DATA></WRMHEADER>';
    my $rec = encode('UTF-16LE', $wrm);
    is(unpack('H*', $data->($x, $kid, $sys{playready},
        'cpix:SmoothStreamingProtectionHeaderData') // ''),
        unpack('H*', pack('Vvvv', 10 + length $rec, 1, 1, length $rec)
        . $rec), 'PlayReady Header Object: the 622 bytes of the vector');

    # refusals

    is(api(PUT => 'streamingLocators/clearLoc', { properties => {
        assetName => 'keysasset',
        streamingPolicyName => 'Predefined_ClearStreamingOnly' } })
        ->{status}, 201, 'a clear locator');
    $r = api(POST => 'streamingLocators/clearLoc/exportCpix');
    is($r->{status}, 400, 'exportCpix of a clear locator: 400');
    $r = api(POST => 'streamingLocators/nope/exportCpix');
    is($r->{status}, 404, 'of a missing one: 404');
    $r = api(POST => 'streamingLocators/vectors/exportCpix',
        { keyDeliveryUrl => 'ftp://keys.example.com/' });
    is($r->{status}, 400, 'a keyDeliveryUrl that is not http(s): 400');
};

push @values, 'AAECAwQFBgcICQoLDA0ODw==';

my $log = $t->error_log();
is(scalar(grep { index($log, $_) >= 0 } @values), 0,
    'no key value in error.log');

$t->done_testing();
