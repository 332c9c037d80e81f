#!/usr/bin/perl

# Fragment numbers (HLS media sequence numbers): one per fragment, whatever
# the encoder's keyframe interval (here 4 s against a 2 s
# keyFrameIntervalDuration); the same segment has the same number in every
# playlist window, and audio and video agree.

use strict;
use warnings;

use Test::More;

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::Sluice;

my $t = Test::Sluice->new();
$t->has_program('ffmpeg');

$t->write_sluice_conf(
    location => 'sluice_live_window 600s;',
    servers => <<'EOF');

server {
    listen 127.0.0.1:%%PORT_8081%%;

    location / {
        sluice_packager;
        sluice_live_window 9s;
    }
}
EOF
$t->plan(9);
$t->run();

my $token = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb2';
my $ev = $t->create_live_event('numbers', token => $token);
my $locator = $ev && $ev->{properties}{preview}{previewLocator};
ok($locator, 'live event running') or BAIL_OUT('no live event');

# 24 s with a keyframe every 4 s, pushed as fast as it goes

my $file = Sluice::Ingest::fixture('av', duration => 24, gop => 4);
my $pub = $t->publish(input => $file, realtime => 0,
    url => 'rtmp://127.0.0.1:' . $t->port(1935) . "/live/$token/s1");
$t->wait_publisher_exit($pub, 60);

my $vlong;

$t->wait_for(sub {
    $vlong = playlist(8080, 'video');
    return @{$vlong->{segs}} >= 5;
}, 20);

my $vshort = playlist(8081, 'video');
my $along = playlist(8080, 'audio');

my @long = @{$vlong->{segs}};
my @short = @{$vshort->{segs}};

ok(@long >= 5, 'long window lists the stream') or diag(explain($vlong));
ok(@short >= 2 && @short < @long, 'short window lists fewer segments')
    or diag(explain($vshort));

my %number;
@number{@long} = map { $vlong->{msn} + $_ } 0 .. $#long;

is($number{$short[0] // ''}, $vshort->{msn},
    'the same segment has the same number in both windows');
is($vshort->{msn} + $#short, $vlong->{msn} + $#long,
    'the last segment has the same number in both windows');

my @short_frags = grep { $_ < 3.5 } @{$vlong->{durations}};
ok(!@short_frags, 'fragments follow the 4 s keyframes')
    or diag(explain($vlong));

is($along->{msn}, $vlong->{msn}, 'audio starts at the video number');
is(scalar @{$along->{segs}}, scalar @long, 'as many audio segments');

my $master = $t->get("/$locator/preview.ism/manifest(format=m3u8-aapl)");
is($master->{status}, 200, 'master playlist');

###############################################################################

sub playlist {
    my ($port, $track) = @_;

    my $base = 'http://127.0.0.1:' . $t->port($port)
        . "/$locator/preview.ism/";
    my $master = $t->http(GET => $base . 'manifest(format=m3u8-aapl)');
    my ($uri) = ($master->{body} // '')
        =~ m{^(QualityLevels\(\d+\)/Manifest\($track,[^)\s]*\)\S*)}mi;
    ($uri) = ($master->{body} // '')
        =~ m{URI="(QualityLevels\(\d+\)/Manifest\($track,[^"]*)"}i
        unless $uri;

    return { msn => -1, segs => [], durations => [] } unless $uri;

    my $body = $t->http(GET => $base . $uri)->{body} // '';
    my ($msn) = $body =~ /^#EXT-X-MEDIA-SEQUENCE:(\d+)/m;
    my @durations = $body =~ /^#EXTINF:([\d.]+)/mg;
    my @segs = grep { !/^#/ && length } split /\n/, $body;

    # the last one may be shorter: the stream ended there
    pop @durations;

    return { msn => $msn, segs => \@segs, durations => \@durations };
}
