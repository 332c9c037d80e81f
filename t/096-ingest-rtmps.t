#!/usr/bin/perl

# Copyright (C) 2026, The Sluice authors.
#
# RTMPS ingest: TLS ended by nginx's stream module in front of an RTMP
# listener that takes the PROXY protocol (docs/directives.md, "RTMPS"),
# the RTMP server keeping its plain listener:
#
#   ffmpeg --rtmps--> stream {listen ssl; proxy_protocol on;
#                             proxy_bind 127.0.0.2}
#          --PROXY TCP4 127.0.0.1 ... + RTMP--> rtmp {listen proxy_protocol}
#
#  - the API lists the rtmps:// endpoint (sluice_ingest_url);
#  - ffmpeg publishes over rtmps://, the preview plays (HLS CMAF through
#    ffprobe: H.264 + AAC);
#  - the IP allow-list sees the client's address from the PROXY header
#    (127.0.0.1), not the proxy's (127.0.0.2, proxy_bind): allow
#    127.0.0.1/32 publishes, allow 127.0.0.2/32 or 10.0.0.0/8 refuses with
#    "client address not allowed" naming client 127.0.0.1;
#  - live encoding of an rtmps feed: the transcoder publishes its layers
#    to the plain listener of the server (the other would want a PROXY
#    header);
#  - a publisher that skips the proxy (no PROXY header) is closed before
#    anything is trusted; the plain listener stays plain.

use strict;
use warnings;

use Test::More;
use IPC::Run ();
use JSON::PP;

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::Sluice;
use Sluice::Ingest qw(fixture);

my $t = Test::Sluice->new();
$t->has_program('ffmpeg', 'ffprobe', 'openssl');

my $xc = $ENV{SLUICE_TRANSCODER}
    // "$FindBin::Bin/../build/transcoder/sluice-transcoder";
my $encode = -x $xc ? "sluice_transcoder $xc;\n"
    . "sluice_ladder Tiny {\n"
    . "    video 160x90 100k baseline;\n"
    . "    audio 96k;\n"
    . "}\n" : '';

$t->write_sluice_conf(
    main => 'load_module %%MODULES_DIR%%/ngx_stream_module.so;',
    rtmp => 'listen 127.0.0.1:%%PORT_1936%% proxy_protocol;',
    http => "sluice_ingest_url rtmps://127.0.0.1:%%PORT_2935%%;\n$encode",
    tail => <<'EOF');
stream {
    server {
        listen 127.0.0.1:%%PORT_2935%% ssl;
        ssl_certificate %%CERT%%;
        ssl_certificate_key %%CERT_KEY%%;
        proxy_pass 127.0.0.1:%%PORT_1936%%;
        proxy_protocol on;
        proxy_bind 127.0.0.2;
    }
}
EOF

# nginx 1.22 logs at crit what its stream module meets when a refused
# publisher still sends after the close (later nginx logs it at info)
$t->expect_errors(qr/sluice: publish refused: client address not allowed/,
    qr/SSL_shutdown\(\) failed \(SSL: [^)]*application data after close notify\)/);

$t->run();

my $plain = 'rtmp://127.0.0.1:' . $t->port(1935);
my $proxied = 'rtmp://127.0.0.1:' . $t->port(1936);
my $rtmps = 'rtmps://127.0.0.1:' . $t->port(2935);

my @av = fixture('av', duration => 10);

###############################################################################
# the API: both endpoints, protocol RTMP

my $tok1 = 'c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1';
my $ev1 = $t->create_live_event('rtmpsone', token => $tok1,
    input => { accessControl => { ip => { allow => [
        { name => 'client', address => '127.0.0.1',
          subnetPrefixLength => 32 } ] } } },
    properties => { encoding => { encodingType => 'PassthroughBasic' } });
ok($ev1, 'event allowing 127.0.0.1/32 running')
    or BAIL_OUT('no live event: ' . log_tail());

is_deeply($ev1->{properties}{input}{endpoints}, [
    { protocol => 'RTMP', url => "$plain/live/$tok1" },
    { protocol => 'RTMP', url => "$rtmps/live/$tok1" } ],
    'input endpoints: rtmp:// and rtmps://, both protocol RTMP');

my $loc1 = $ev1->{properties}{preview}{previewLocator};

###############################################################################
# ffmpeg over rtmps://: stored, the preview plays

my $off = $t->log_offset();
my $pub = $t->publish(input => \@av, loop => 1,
    url => "$rtmps/live/$tok1/stream");

ok($t->wait_log(qr/sluice: "stream" publishing to live event "rtmpsone"/,
    from => $off, timeout => 30), 'publishing over rtmps://')
    or diag(log_tail() . $t->publisher_log($pub));

my $log = substr($t->error_log(), $off);
like($log, qr/client connected '127\.0\.0\.2'/,
    'the TCP peer of the RTMP listener is the proxy (proxy_bind)');
like($log, qr/publishing to live event "rtmpsone"[^\n]*, client: 127\.0\.0\.1,/,
    '... the publisher is logged with the address of the PROXY header');

ok(wait_chunks($loc1, 3), 'three fragments in the preview');

my $j = probe("http://127.0.0.1:" . $t->port(8080)
    . "/$loc1/preview.ism/manifest(format=m3u8-cmaf).m3u8");
my %c = map { ($_->{codec_type} // '') => $_ } @{$j->{streams} // []};
is($c{video}{codec_name} // '', 'h264', 'preview over HLS CMAF: H.264');
is($c{audio}{codec_name} // '', 'aac', 'preview over HLS CMAF: AAC');
cmp_ok($c{video}{nb_read_frames} // 0, '>=', 60,
    'preview: 2 s of frames or more');

ok($t->publisher_running($pub), 'the rtmps publisher still runs')
    or diag($t->publisher_log($pub));
$t->stop_publisher($pub);

###############################################################################
# the allow-list sees the client, not the proxy

for my $case ([ 'rtmpsproxy', '127.0.0.2', 32 ], [ 'rtmpslan', '10.0.0.0', 8 ])
{
    my ($name, $addr, $len) = @$case;
    my $tok = unpack('H*', $name) . '00';

    ok($t->create_live_event($name, token => $tok,
        input => { accessControl => { ip => { allow => [
            { name => 'only', address => $addr,
              subnetPrefixLength => $len } ] } } },
        properties => { encoding => { encodingType => 'PassthroughBasic' } }),
        "event allowing $addr/$len only");

    $off = $t->log_offset();
    $pub = $t->publish(input => \@av, url => "$rtmps/live/$tok/stream");

    ok($t->wait_log(qr/publish refused: client address not allowed by the live event, live event "$name", stream "stream", client: 127\.0\.0\.1,/,
        from => $off, timeout => 30),
        "$addr/$len: the rtmps publisher is refused, client 127.0.0.1")
        or diag(log_tail());
    ok(defined $t->wait_publisher_exit($pub, 30), '... and ffmpeg ends');
    unlike(substr($t->error_log(), $off), qr/publishing to live event "$name"/,
        '... nothing published');
}

###############################################################################
# live encoding of an rtmps feed: the layers come back on the plain listener

SKIP: {
    skip("no $xc: ./build.sh build", 4) unless $encode;

    my $tok = 'c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5c5';
    my $ev = $t->create_live_event('rtmpsenc', token => $tok, timeout => 30,
        input => { keyFrameIntervalDuration => '' },
        properties => { encoding => { encodingType => 'Standard',
                                      presetName => 'Tiny' } });
    ok($ev, 'live encoding event running') or diag(log_tail());

    my $p1935 = $t->port(1935);
    $off = $t->log_offset();
    $pub = $t->publish(input => \@av, loop => 1,
        url => "$rtmps/live/$tok/cam");

    ok($t->wait_log(qr/"sluice-v0" publishing to live event "rtmpsenc"[^\n]*, server: 127\.0\.0\.1:$p1935\b/,
        from => $off, timeout => 40),
        'the transcoder publishes its layer to the plain listener')
        or diag(log_tail() . $t->publisher_log($pub));
    ok(wait_chunks($ev->{properties}{preview}{previewLocator}, 2),
        'the layer in the preview');
    unlike(substr($t->error_log(), $off), qr/proxy_protocol: bad header/,
        'no connection without its PROXY header');

    $t->stop_publisher($pub);
}

###############################################################################
# no PROXY header: closed before the handshake; the plain listener is plain

$off = $t->log_offset();
$pub = $t->publish(input => \@av, url => "$proxied/live/$tok1/direct");
ok($t->wait_log(qr/proxy_protocol: bad header/, from => $off, timeout => 30),
    'plain RTMP to the proxy_protocol listener: bad header, closed');
ok(defined $t->wait_publisher_exit($pub, 30), '... and ffmpeg ends');
unlike(substr($t->error_log(), $off), qr/"direct" publishing/,
    '... nothing published');

$off = $t->log_offset();
$pub = $t->publish(input => \@av, url => "$plain/live/$tok1/plain");
ok($t->wait_log(qr/sluice: "plain" publishing to live event "rtmpsone"[^\n]*, client: 127\.0\.0\.1,/,
    from => $off, timeout => 30), 'plain RTMP still publishes, client 127.0.0.1')
    or diag(log_tail() . $t->publisher_log($pub));
$t->stop_publisher($pub);

$t->done_testing();

###############################################################################

sub log_tail {
    my $l = $t->read_file('error.log') // '';
    return substr($l, -3000);
}

sub wait_chunks {
    my ($loc, $n) = @_;

    return $t->wait_for(sub {
        my $r = $t->get("/$loc/preview.ism/manifest");
        my ($v) = $r->{body} =~ m{(<StreamIndex Type="video".*?</StreamIndex>)}s;
        my @c = ($v // '') =~ /<c\b/g;
        return @c >= $n;
    }, timeout => 60, what => "$n fragments");
}

# (while the publisher runs: a live playlist never ends)

sub probe {
    my ($url) = @_;

    my ($out, $err) = ('', '');
    IPC::Run::run(['ffprobe', '-v', 'error', '-of', 'json', '-count_frames',
        '-read_intervals', '%+3', '-show_streams', $url],
        '<', \undef, '>', \$out, '2>', \$err, IPC::Run::timeout(120));
    my $j = eval { JSON::PP->new->decode($out) };
    diag("ffprobe $url: $err") unless $j && @{$j->{streams} // []};
    return $j // {};
}
