#!/usr/bin/perl

# The quickstart as the README tells it, on conf.examples/quickstart.conf
# itself (ports, module and log paths rewritten for the test directory):
# the configuration loads, the quickstart key creates and starts a live
# event, three renditions pushed to its input URLs (two over RTMP, one
# over RTMPS) appear in the preview in every format; the web console is
# served at /console/.

use strict;
use warnings;

use Test::More;

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::Sluice;
use Sluice::Ingest qw(fixture);

my $t = Test::Sluice->new()->has_program('ffmpeg');
$t->api_key('sluice-quickstart-key');
$t->plan(22);

my $conf = $t->quickstart_conf();
$conf =~ s{^(\s*sluice_transcoder) transcoder/sluice-transcoder;}
          {"$1 " . ($ENV{SLUICE_TRANSCODER}
              // "$Test::Sluice::ROOT/build/transcoder/sluice-transcoder")
              . ";"}me;

$t->write_file_expand('nginx.conf', $conf);

my ($rc, $out) = $t->nginx_t();
is($rc, 0, 'quickstart.conf passes nginx -t') or diag($out);

$t->run();

my $locator = '8f2a6c3e-5b1d-4e7a-9c0f-3d4b5a6e7f80';
my $r = $t->api(PUT => 'liveEvents/quickstart', {
    location => 'local',
    properties => {
        input => {
            streamingProtocol => 'RTMP',
            accessToken => 'quickstart',
            keyFrameIntervalDuration => 'PT2S',
        },
        preview => { previewLocator => $locator },
    },
});
is($r->{status}, 201, 'create the live event with the quickstart key')
    or diag($r->{body});

my $rtmp = 'rtmp://127.0.0.1:' . $t->port(1935) . '/live/quickstart';
is($r->{json}{properties}{input}{endpoints}[0]{url}, $rtmp,
    'input URL from sluice_ingest_url');
my $rtmps = 'rtmps://127.0.0.1:' . $t->port(2935) . '/live/quickstart';
is_deeply([ map { $_->{url} } @{$r->{json}{properties}{input}{endpoints}} ],
    [ map { "$_/live/quickstart" } 'rtmp://127.0.0.1:' . $t->port(1935),
      'rtmp://127.0.0.1:' . $t->port(1936),
      'rtmps://127.0.0.1:' . $t->port(2935),
      'rtmps://127.0.0.1:' . $t->port(2936) ],
    'RTMP and RTMPS input URLs, primary and backup, as AMS listed them');
like($r->{json}{properties}{preview}{endpoints}[0]{url},
    qr{^https://127\.0\.0\.1:${\ $t->port(8443)}/$locator/preview\.ism/},
    'preview URL from sluice_preview_url');

is($t->api(PUT => 'liveEvents/other', { location => 'local',
        properties => { input => { streamingProtocol => 'RTMP' } } },
        key => 'not-the-key')->{status}, 401, 'another key is refused');

$r = $t->api(POST => 'liveEvents/quickstart/start', '');
ok($r->{status} == 200 || $r->{status} == 202, 'start')
    or diag("$r->{status} $r->{body}");

ok($t->wait_for(sub {
    my $g = $t->api(GET => 'liveEvents/quickstart');
    ($g->{json}{properties}{resourceState} // '') eq 'Running';
}, 30), 'live event running');

my @ladder = fixture('ladder', duration => 10);
my $pub = $t->publish(input => \@ladder, loop => 1,
    url => [ "$rtmp/720p", "$rtmp/540p", "$rtmps/360p" ]);

my $base = "/$locator/preview.ism";

my $master = $t->wait_for(sub {
    my $m = $t->get("$base/manifest(format=m3u8-cmaf)");
    return undef unless $m->{status} == 200;
    my @v = $m->{body} =~ /^#EXT-X-STREAM-INF/mg;
    return @v == 3 ? $m : undef;
}, 30);

ok($master, 'HLS (fMP4) master lists the three renditions')
    or diag($t->publisher_log($pub));

like($master ? $master->{body} : '', qr/RESOLUTION=1280x720/, '720p');
like($master ? $master->{body} : '', qr/RESOLUTION=960x540/, '540p');
like($master ? $master->{body} : '', qr/RESOLUTION=640x360/, '360p');

# every format of the README's table answers over HTTP and HTTPS
for my $f ('manifest(format=m3u8-aapl)', 'manifest(format=m3u8-aapl-v3)',
           'manifest(format=mpd-time-cmaf)', 'manifest(format=mpd-time-csf)')
{
    my $m = $t->get("$base/$f");
    is($m->{status}, 200, $f);
}

my $smooth = $t->get("$base/manifest", https => 1);
is($smooth->{status}, 200, 'Smooth manifest over HTTPS');
like($smooth->{body}, qr/QualityLevels="3"/, 'Smooth: three video levels');

my $mpd = $t->get("$base/manifest(format=mpd-time-cmaf)");
my @reps = $mpd->{body} =~ /<Representation /g;
cmp_ok(scalar @reps, '>=', 4, 'DASH: three video and audio representations');

# a media playlist of the master answers with segments
my ($media) = $master ? $master->{body} =~ /^(QualityLevels\(\d+\)\/Manifest\(video[^\n]*)$/m
                      : ();
my $pl = $t->get("$base/" . ($media // 'none'));
like($pl->{body}, qr/^#EXTINF:/m, 'video media playlist has segments');

# the web console at /console/ as quickstart.conf serves it: alias
# console/ under the prefix, which ./build.sh run links to build/console/
symlink("$Test::Sluice::ROOT/build/console", $t->testdir . '/console');
my $c = $t->get('/console/');
ok($c->{status} == 200 && $c->{body} =~ /<title>Sluice console</,
    'the web console at /console/') or diag("$c->{status} $c->{body}");
like($t->get('/console/js/main.js')->{headers}{'content-type'} // '',
    qr{^text/javascript}, 'its ES modules as JavaScript');

$t->stop_publisher($pub);
