#!/usr/bin/perl

# Copyright (C) 2026, The Sluice authors.
#
# RTMPS in the RTMP listener itself (ngx_rtmp_sluice_ssl_module,
# sluice_ssl_certificate in an rtmp server{}): the TLS handshake first,
# then nginx-rtmp on the decrypted connection; no proxy, the client's
# address is the connection's own.
#
#  - the API lists the rtmps:// endpoint;
#  - ffmpeg publishes over rtmps://, the preview plays (HLS CMAF through
#    ffprobe: H.264 + AAC), the plain server of the same rtmp{} stays
#    plain;
#  - the IP allow-list sees the client: allow 10.0.0.0/8 refuses, naming
#    client 127.0.0.1;
#  - live encoding of an rtmps feed: the transcoder publishes its layers
#    to the plain server;
#  - a plain RTMP client on the TLS port fails the handshake, logged,
#    and is closed; a client that says nothing times out
#    (sluice_ssl_handshake_timeout).

use strict;
use warnings;

use Test::More;
use IPC::Run ();
use IO::Socket::INET;
use JSON::PP;
use Time::HiRes ();

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
    ingest => 0,
    http => "sluice_ingest_url rtmps://127.0.0.1:%%PORT_2936%%;\n$encode",
    tail => <<'EOF');
rtmp {
    server {
        listen 127.0.0.1:%%PORT_1935%%;

        application live {
            live on;
            sluice_ingest on;
            sluice_thread_pool sluice;
        }
    }

    server {
        listen 127.0.0.1:%%PORT_2936%%;
        sluice_ssl_certificate %%CERT%%;
        sluice_ssl_certificate_key %%CERT_KEY%%;
        sluice_ssl_handshake_timeout 3s;

        application live {
            live on;
            sluice_ingest on;
            sluice_thread_pool sluice;
        }
    }
}
EOF

$t->expect_errors(qr/sluice: publish refused: client address not allowed/);

$t->run();

my $plain = 'rtmp://127.0.0.1:' . $t->port(1935);
my $rtmps = 'rtmps://127.0.0.1:' . $t->port(2936);

my @av = fixture('av', duration => 10);

###############################################################################
# the API and a publisher over rtmps://

my $tok1 = 'd1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1';
my $ev1 = $t->create_live_event('nativeone', token => $tok1,
    properties => { encoding => { encodingType => 'PassthroughBasic' } });
ok($ev1, 'event running') or BAIL_OUT('no live event: ' . log_tail());

is_deeply($ev1->{properties}{input}{endpoints}, [
    { protocol => 'RTMP', url => "$plain/live/$tok1" },
    { protocol => 'RTMP', url => "$rtmps/live/$tok1" } ],
    'input endpoints: rtmp:// and rtmps://, protocol RTMP');

my $loc1 = $ev1->{properties}{preview}{previewLocator};

my $off = $t->log_offset();
my $pub = $t->publish(input => \@av, loop => 1,
    url => "$rtmps/live/$tok1/stream");

ok($t->wait_log(qr/sluice: "stream" publishing to live event "nativeone"[^\n]*client: 127\.0\.0\.1,/,
    from => $off, timeout => 30),
    'publishing over rtmps://, client 127.0.0.1')
    or diag(log_tail() . $t->publisher_log($pub));

ok(wait_chunks($loc1, 3), 'three fragments in the preview');

my $j = probe('http://127.0.0.1:' . $t->port(8080)
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
# the allow-list sees the client

my $tok2 = 'd2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2';
ok($t->create_live_event('nativelan', token => $tok2,
    input => { accessControl => { ip => { allow => [
        { name => 'lan', address => '10.0.0.0',
          subnetPrefixLength => 8 } ] } } }), 'event allowing 10/8');

$off = $t->log_offset();
$pub = $t->publish(input => \@av, url => "$rtmps/live/$tok2/stream");
ok($t->wait_log(qr/publish refused: client address not allowed by the live event, live event "nativelan"[^\n]*client: 127\.0\.0\.1,/,
    from => $off, timeout => 30), 'refused by the allow-list, client 127.0.0.1');
$t->wait_publisher_exit($pub, 30);

###############################################################################
# live encoding of an rtmps feed: the layers come back on the plain server

SKIP: {
    skip("no $xc: ./build.sh build", 2) unless $encode;

    my $tok = 'd4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4';
    my $ev = $t->create_live_event('nativeenc', token => $tok, timeout => 30,
        input => { keyFrameIntervalDuration => '' },
        properties => { encoding => { encodingType => 'Standard',
                                      presetName => 'Tiny' } });
    ok($ev, 'live encoding event running') or diag(log_tail());

    my $p1935 = $t->port(1935);
    $off = $t->log_offset();
    $pub = $t->publish(input => \@av, loop => 1,
        url => "$rtmps/live/$tok/cam");

    ok($t->wait_log(qr/"sluice-v0" publishing to live event "nativeenc"[^\n]*, server: 127\.0\.0\.1:$p1935\b/,
        from => $off, timeout => 40),
        'the transcoder publishes its layer to the plain server')
        or diag(log_tail() . $t->publisher_log($pub));

    $t->stop_publisher($pub);
}

###############################################################################
# the plain server stays plain; plain RTMP on the TLS port fails

my $tok3 = 'd3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3';
ok($t->create_live_event('nativeplain', token => $tok3), 'plain event');

$off = $t->log_offset();
$pub = $t->publish(input => \@av, loop => 1,
    url => "$plain/live/$tok3/stream");
ok($t->wait_log(qr/sluice: "stream" publishing to live event "nativeplain"/,
    from => $off, timeout => 30), 'plain RTMP publishes on the plain server');
$t->stop_publisher($pub);

$off = $t->log_offset();
$pub = $t->publish(input => \@av,
    url => 'rtmp://127.0.0.1:' . $t->port(2936) . "/live/$tok3/stream");
ok($t->wait_log(qr/sluice: RTMPS handshake failed, client 127\.0\.0\.1/,
    from => $off, timeout => 30), 'plain RTMP on the TLS port: handshake failed');
$t->wait_publisher_exit($pub, 30);

$off = $t->log_offset();
my $mute = IO::Socket::INET->new(PeerAddr => '127.0.0.1:' . $t->port(2936))
    or die "connect: $!";
ok($t->wait_log(qr/sluice: RTMPS handshake timed out, client 127\.0\.0\.1/,
    from => $off, timeout => 30), 'a client saying nothing times out');
my $got = $mute->sysread(my $buf, 1);
ok(defined $got && $got == 0, '... and is closed');

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
