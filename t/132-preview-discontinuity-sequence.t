#!/usr/bin/perl

# Copyright (C) 2026, The Sluice authors.
#
# EXT-X-DISCONTINUITY-SEQUENCE of a live event's playlists as the hole of
# an encoder outage slides out of the window and then out of the ring
# (RFC 8216 6.2.2: a server that removes an EXT-X-DISCONTINUITY tag
# increments EXT-X-DISCONTINUITY-SEQUENCE; a segment keeps its Media
# Sequence Number and its discontinuity number in every reload).  A ring
# of 8 fragments and a window of 8 s: the hole leaves the window, then
# the ring (the discontinuities before the window were counted from the
# ring alone: the sequence went back to 0 there).  Every reload of the
# video and audio playlists is checked: EXT-X-DISCONTINUITY-SEQUENCE
# never goes down, and each segment keeps the numbers it was first
# listed with.

use strict;
use warnings;

use Test::More;

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::Sluice;
use Sluice::Playback;
use Sluice::Record;

my $t = Test::Sluice->new();
$t->has_program('ffmpeg');

$t->write_sluice_conf(
    app => 'sluice_fragment_ring 8;',
    http => 'sluice_transition_time 0s;',
    location => "sluice_live_window 8s;\naio threads=sluice;");
$t->run();

my $token = 'd15c0d15c0d15c0d15c0d15c0d15c130';
my $loc = $t->create_preview_event('dsn', $token);
ok($loc, 'live event running with a preview locator') or BAIL_OUT('no event');

my $base = "/$loc/preview.ism";
my $url = 'rtmp://127.0.0.1:' . $t->port(1935) . "/live/$token";

# 8 s of media, the encoder down 4 s, then on

my $pub = Sluice::Record::publish_with_holes($t, 'dsn', $url, 4);

my (%seen, %bad, %dsn, %phase);

# until 12 fragments after the first reload without the hole, or 90 s

ok($t->wait_for(sub {
    my $m = $t->get("$base/manifest(format=m3u8-cmaf)")->{body} // '';
    my %pl;
    ($pl{video}) = $m =~ m{^(QualityLevels\(\d+\)/Manifest\(video[^\n]*)$}m;
    ($pl{audio}) = $m =~ m{URI="(QualityLevels\(\d+\)/Manifest\(audio[^"]*)"};

    for my $type ('video', 'audio') {
        next unless $pl{$type};
        check($type, $t->get("$base/$pl{$type}")->{body} // '');
    }

    return ($phase{video}{gone_at} // 1e9) + 12 <= ($phase{video}{msn} // 0)
        && ($phase{audio}{gone_at} // 1e9) + 12 <= ($phase{audio}{msn} // 0);
}, timeout => 90, interval => 0.5),
    'the hole in the window, out of it, then 12 fragments more (out of the '
    . 'ring)') or diag(explain(\%phase));

for my $type ('video', 'audio') {
    ok($phase{$type}{with_hole}, "$type: a reload listed the hole");
    is($bad{$type}, undef,
        "$type: EXT-X-DISCONTINUITY-SEQUENCE never went down, every segment "
        . 'kept its sequence and discontinuity numbers')
        or diag($bad{$type});
    ok(($dsn{$type} // 0) >= 1,
        "$type: the last EXT-X-DISCONTINUITY-SEQUENCE counts the hole "
        . '(' . ($dsn{$type} // '-') . ')');
}

$t->stop_publisher($pub);
$t->done_testing();


sub check {
    my ($type, $pl) = @_;

    my ($msn) = $pl =~ /^#EXT-X-MEDIA-SEQUENCE:(\d+)$/m;
    my ($dsn) = $pl =~ /^#EXT-X-DISCONTINUITY-SEQUENCE:(\d+)$/m;
    return unless defined $msn && defined $dsn;

    if (defined $dsn{$type} && $dsn < $dsn{$type} && !$bad{$type}) {
        $bad{$type} = "EXT-X-DISCONTINUITY-SEQUENCE went from $dsn{$type} "
                      . "to $dsn:\n$pl";
    }
    $dsn{$type} = $dsn;

    my ($n, $d, $tags) = ($msn, $dsn, 0);

    for my $line (split /\n/, $pl) {
        if ($line eq '#EXT-X-DISCONTINUITY') {
            $d++;
            $tags++;
        } elsif ($line =~ /^Fragments\(/) {
            my $was = $seen{$type}{$line};
            if ($was && ($was->[0] != $n || $was->[1] != $d)
                && !$bad{$type})
            {
                $bad{$type} = "$line was segment $was->[0] of discontinuity "
                              . "$was->[1], now $n of $d:\n$pl";
            }
            $seen{$type}{$line} = [ $n, $d ];
            $n++;
        }
    }

    $phase{$type}{msn} = $msn;
    $phase{$type}{with_hole} = 1 if $tags;
    $phase{$type}{gone_at} //= $msn if $phase{$type}{with_hole} && !$tags;
}
