#!/usr/bin/perl

# Copyright (C) 2026, The Sluice authors.
#
# Cues in HLS (issue 13): the suite's own RTMP client publishes an
# ffmpeg-made FLV in real time with, among its tags, an ad break in
# SCTE-35 mode (onAdCue splice out, 6 s, ended by an onCuePoint splice
# in of the same splice_event_id), an onAdCue in AMS's simple mode, and
# two onUserDataEvent of the AOM ID3 scheme (an ID3 tag in base64, a
# text).  A live output records the event.
#
#  - the preview's media playlists (m3u8-aapl video and audio,
#    m3u8-cmaf): EXT-X-DATERANGE of each ad marker at its time (within a
#    fragment), SCTE35-OUT / -IN holding the sections sent (Sluice's own
#    splice_insert for simple mode), the splice in closing the break
#    (same ID and START-DATE, DURATION); AMS's Adobe EXT-X-CUE before
#    every segment of the break, ELAPSED growing; a program date time on
#    the segment the break begins in; no tag for timed metadata;
#  - the TS segment of each timed metadata cue: a PMT entry of stream
#    type 0x15 with its descriptors, the tag in a PES of stream 0xbd at
#    its time (parsed here), ffprobe sees a timed_id3 stream; the audio
#    segments carry none (the video's do);
#  - the recording, once the live output is deleted (video on demand):
#    the same tags; an asset filter whose presentation window begins
#    after the break keeps only the simple-mode cue;
#  - hls.js in headless Chromium plays the recording and raises the date
#    ranges (LEVEL_UPDATED) and the ID3 samples (FRAG_PARSING_METADATA).

use strict;
use warnings;

use Test::More;
use MIME::Base64 qw(encode_base64 decode_base64);
use Time::HiRes qw(time sleep);
use POSIX ();

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::Sluice;
use Sluice::RTMP;
use Sluice::Record;
use Sluice::Playback;
use Sluice::Players;
use Sluice::Ingest qw(fixture);

my $t = Test::Sluice->new();
$t->has_program('ffmpeg', 'ffprobe');

$t->write_sluice_conf(
    workers => 2,
    data => 'data',
    app_pool => 0,
    app => 'sluice_fragment_ring 32;',
    http => 'sluice_transition_time 0s;',
    server => 'server_name localhost;',
    location => 'aio threads=sluice;');
$t->run();

my $BASE = 5000;            # ms: the publisher's first timestamp
my $FRAG = 2000;            # keyFrameIntervalDuration PT2S
my $ID3 = 'https://aomedia.org/emsg/ID3';

my $token = 'e' x 32;
ok(Sluice::Record::event($t, 'cues', $token), 'live event running')
    or BAIL_OUT('no live event');
ok(Sluice::Playback::start_endpoint($t, 'default'), 'streaming endpoint')
    or BAIL_OUT('no streaming endpoint');

my $paths = Sluice::Playback::record($t, 'cues', 'rec', 'cueasset',
    'cueloc', archiveWindowLength => 'PT5M', manifestName => 'show');
my ($asset_master) = grep { /format=m3u8-aapl\)$/ } @{ $paths->{Hls} // [] };
ok($asset_master, 'live output recording, locator paths')
    or BAIL_OUT('no locator');

my $av = fixture('av', duration => 26, gop => 2, size => '320x180',
    vbitrate => '300k', abitrate => '64k');
my @tags = grep { $_->{type} == 8 || $_->{type} == 9 }
    Sluice::RTMP::flv_tags($av);

###############################################################################
# what is sent

sub at { $BASE + $_[0] }
sub secs { \(at($_[0]) / 1000) }
sub data { [ 18, at($_[0]), Sluice::RTMP::amf0_encode(@_[1 .. $#_]) ] }

my $s_out = splice_insert(id => 2002, out => 1, pts => at(6000) * 90,
    dur => 6000);
my $s_in = splice_insert(id => 2002, out => 0, pts => at(12000) * 90);

my $tag9 = id3_tag('TXXX', "\x03sluice\x00cue at 9 s");
my $tag14 = id3_tag('TXXX', "\x03\x00hello 14");     # made by Sluice

my @msgs = (
    data(6000, 'onAdCue', { type => 'scte35', id => '2002',
        cue => encode_base64($s_out, ''), duration => \6,
        time => secs(6000) }),
    data(9000, 'onUserDataEvent', event_stream(id => 'meta-9',
        time => at(9000), base64 => encode_base64($tag9, ''))),
    data(12000, 'onCuePoint', { name => 'scte35', type => 'event',
        time => secs(12000), parameters => { id => '2003',
        duration => '0', cue => encode_base64($s_in, '') } }),
    data(14000, 'onUserDataEvent', event_stream(id => 'meta-14',
        time => at(14000), text => 'hello 14')),
    data(16000, 'onAdCue', { type => 'SpliceOut', id => '1001',
        duration => \4, time => secs(16000) }),
);

my @list = sort { $a->[1] <=> $b->[1] }
    (@msgs, map { [ $_->{type}, at($_->{ts}), $_->{data} ] } @tags);

ok(publish(\@list), 'published tags and data messages');

my $loc = $t->api(GET => 'liveEvents/cues')
    ->{json}{properties}{preview}{previewLocator} // '';
my $preview = "/$loc/preview.ism";

###############################################################################
# the preview's playlists

my %media = media_playlists("$preview/manifest(format=m3u8-aapl)");
my $vpath = $media{video};
my $v = $vpath ? $t->get($vpath)->{body} // '' : '';
my @segs = parse_playlist($v);
cmp_ok(scalar @segs, '>=', 10, 'the preview lists the stream')
    or diag($v);

my %dr = dateranges(\@segs);
is_deeply([ sort keys %dr ], [ '1001', '2002' ],
    'a DATERANGE per ad break, none for timed metadata') or diag($v);
is(scalar @{ $dr{2002} // [] }, 2, 'the break: its splice out and in');

my ($out, $in) = @{ $dr{2002} // [] };
my $ts = timescale(\@segs);

check_out($out, $s_out, 6000, 6, 'SCTE-35 mode');
is(unpack('H*', hex_attr($in->{attr}{'SCTE35-IN'})), unpack('H*', $s_in),
    'SCTE35-IN: the section sent');
is($in->{attr}{'START-DATE'}, $out->{attr}{'START-DATE'},
    'the splice in has the START-DATE of the break');
ok(abs(($in->{attr}{DURATION} // 0) - 6) <= $FRAG / 1000,
    "and its DURATION: $in->{attr}{DURATION}");
ok(abs(cue_ms($in->{seg}, $ts, date_ms($out->{attr}{'START-DATE'})
                                  + 1000 * ($in->{attr}{DURATION} // 0))
       - at(12000)) <= $FRAG,
    'placed before the segment of the splice in');

my ($simple) = @{ $dr{1001} // [] };
check_out($simple, undef, 16000, 4, 'simple mode');
my $sec = parse_section(hex_attr($simple->{attr}{'SCTE35-OUT'} // ''));
is(join(',', map { $_ // '' } @$sec{qw(crc event out dur)}),
    'ok,1001,1,' . 4000 * 90,
    'simple mode: the splice_insert Sluice made (event id 1001, 4 s)');

# AMS's Adobe EXT-X-CUE: before every segment of the break

my @cue = adobe(\@segs, '"2002"');
ok(@cue >= 2 && @cue <= 4, scalar(@cue) . ' EXT-X-CUE of the 6 s break')
    or diag($v);
is($cue[0]{seg}, $out->{seg}, 'the first before the segment of the splice');
ok(!defined $cue[0]{attr}{ELAPSED}, 'the first without ELAPSED');
my @el = map { $_->{attr}{ELAPSED} // -1 } @cue[1 .. $#cue];
ok(@el && !grep({ $el[$_] <= ($_ ? $el[$_ - 1] : 0) } 0 .. $#el)
   && $el[-1] < 6, 'then ELAPSED growing inside the break: @el');
is(decode_base64(($cue[0]{attr}{CUE} // '') =~ s/"//gr), $s_out,
    'CUE: the section in base64');
like($cue[0]{line}, qr/TYPE="scte35",DURATION=6\.000000,TIME=11\.\d{6}/,
    'TYPE, DURATION and TIME in seconds');
my @c1001 = adobe(\@segs, '1001');
ok(@c1001 >= 1 && $c1001[0]{line} =~ /TYPE="SpliceOut",DURATION=4\.000000/
   && $c1001[0]{line} !~ /CUE=/, 'simple mode: TYPE="SpliceOut", no CUE');
is(scalar(adobe(\@segs, '"2003"')), 1, 'the splice in: one EXT-X-CUE');

# the other playlists: the same date ranges

my $dr_lines = join "\n", grep { /^#EXT-X-DATERANGE/ } split /\n/, $v;
my $apl = $media{audio} ? $t->get($media{audio})->{body} // '' : '';
is(join("\n", grep { /^#EXT-X-DATERANGE/ } split /\n/, $apl), $dr_lines,
    'the audio playlist: the same DATERANGE tags');
my %cmaf = media_playlists("$preview/manifest(format=m3u8-cmaf)");
my $c = $cmaf{video} ? $t->get($cmaf{video})->{body} // '' : '';
is(join("\n", grep { /^#EXT-X-DATERANGE/ } split /\n/, $c), $dr_lines,
    'm3u8-cmaf: the same DATERANGE tags');
like($c, qr/#EXT-X-CUE:ID="2002"/, 'm3u8-cmaf: the Adobe tags too');

###############################################################################
# ID3 in the TS segments

for my $m ([ 9000, $tag9, 'an ID3 tag sent' ],
           [ 14000, $tag14, 'a text (TXXX made)' ])
{
    my ($ms, $tag, $what) = @$m;
    my ($s) = grep { cue_in($_, $ts, at($ms)) } @segs;
    my $r = $s ? $t->get(seg_url($vpath, $s)) : {};
    my $id3 = ts_id3($r->{body} // '');

    ok($id3->{pmt}, "$what: the PMT lists ID3 (0x15 + descriptors)");
    is(scalar @{ $id3->{tags} }, 1, "$what: one tag in its segment");
    my ($got) = @{ $id3->{tags} };
    is(unpack('H*', $got->{data} // ''), unpack('H*', $tag),
        "$what: the tag as sent");
    ok(abs(($got->{pts} // 0) / 90 - at($ms)) <= $FRAG,
        "$what: at its time");

    if ($ms == 9000) {
        my $f = $t->testdir . '/id3.ts';
        $t->write_file('id3.ts', $r->{body} // '');
        my $p = `ffprobe -v error -show_entries stream=codec_name -of csv=p=0 $f`;
        like($p, qr/^timed_id3$/m, 'ffprobe sees the timed_id3 stream');
        my ($as) = grep { cue_in($_, $ts, at($ms)) }
            parse_playlist($t->get($media{audio} // '/')->{body} // '');
        my $ar = $as ? $t->get(seg_url($media{audio}, $as))->{body} // ''
                     : '';
        ok(length $ar && !ts_id3($ar)->{pmt},
            'the audio segment of that time carries none');
    }
}

my ($plain) = grep { !cue_in($_, $ts, at(9000)) && !cue_in($_, $ts, at(14000)) }
    @segs;
my $pb = $plain ? $t->get(seg_url($vpath, $plain))->{body} // '' : '';
ok(length $pb && !ts_id3($pb)->{pmt},
    'a segment without timed metadata: no ID3 stream');

###############################################################################
# the recording, video on demand

ok(Sluice::Record::delete_output($t, 'cues', 'rec'), 'live output deleted');

my %vod = media_playlists($asset_master);
my $vv = $vod{video} ? $t->get($vod{video})->{body} // '' : '';
like($vv, qr/#EXT-X-ENDLIST/, 'the recording is video on demand');
my @vsegs = parse_playlist($vv);
my %vdr = dateranges(\@vsegs);
is(join(',', map { "$_:" . scalar @{ $vdr{$_} } } sort keys %vdr),
    '1001:1,2002:2', 'the recording keeps its cues') or diag($vv);
is(join("\n", grep { /^#EXT-X-DATERANGE/ } split /\n/, $vv), $dr_lines,
    'the same DATERANGE tags as live');
ok($vdr{2002} && grep({ /^#EXT-X-PROGRAM-DATE-TIME/ } @{ $vdr{2002}[0]{seg}{tags} }),
    'a program date time on the segment the break begins in');

my ($vs) = grep { cue_in($_, $ts, at(9000)) } @vsegs;
my $vid3 = ts_id3($vs ? $t->get(seg_url($vod{video}, $vs))->{body} // ''
                      : '');
is(unpack('H*', $vid3->{tags}[0]{data} // ''), unpack('H*', $tag9),
    'its TS segment carries the ID3 tag');

# a filter whose window begins after the break

my $r = $t->api(PUT => 'assets/cueasset/assetFilters/late', { properties => {
    presentationTimeRange => { startTimestamp => at(14000) * 10000,
                               endTimestamp => at(24000) * 10000 } } });
ok($r->{status} =~ /^20[01]$/, 'asset filter') or diag($r->{body});
(my $fmaster = $asset_master) =~ s/\)$/,filter=late)/;
my %fm = media_playlists($fmaster);
my $fv = $fm{video} ? $t->get($fm{video})->{body} // '' : '';
my %fdr = dateranges([ parse_playlist($fv) ]);
is(join(',', sort keys %fdr), '1001',
    'filtered: only the cue inside its window') or diag($fv);
unlike($fv, qr/#EXT-X-CUE:ID="2002"/, 'filtered: no Adobe tag of the break');

###############################################################################
# hls.js

SKIP: {
    my $why = Sluice::Players::not_ready()
        // ($ENV{SLUICE_SANITIZE} ? 'the sanitizer pass leaves the browser '
            . 'players to the normal one (build.sh)' : undef);
    skip $why, 6 if $why;

    my $p = Sluice::Players::play($t, 'hls',
        Sluice::Playback::url($t, $asset_master), seconds => 12,
        timeout => 60);
    ok($p->{ok}, 'hls.js plays the recording')
        or diag(Sluice::Players::json($p));

    my $d = $p->{info}{dateRanges} // {};
    is(join(',', sort keys %$d), '1001,2002', 'hls.js: its date ranges')
        or diag(Sluice::Players::json($d));
    is(lc($d->{2002}{scte35Out} // ''), '0x' . unpack('H*', $s_out),
        'hls.js: SCTE35-OUT of the break');
    is(lc($d->{2002}{scte35In} // ''), '0x' . unpack('H*', $s_in),
        'hls.js: merged with the splice in');
    ok(abs(($d->{2002}{duration} // 0) - 6) <= 2
       && ($d->{1001}{plannedDuration} // 0) == 4,
       'hls.js: the break lasts 6 s, the simple-mode one is planned 4 s');

    my @m = @{ $p->{info}{metadata} // [] };
    ok(grep({ $_->{hex} eq unpack('H*', $tag9) } @m),
        'hls.js: FRAG_PARSING_METADATA gives the ID3 tag sent')
        or diag(Sluice::Players::json(\@m));
}

$t->done_testing();

###############################################################################

sub publish {
    my ($list) = @_;

    my $ok = eval {
        my $p = Sluice::RTMP->new(port => $t->port(1935),
            app => "live/$token");
        $p->publish('cam');
        my $start = time;

        for my $e (@$list) {
            my ($type, $ts, $data) = @$e;
            my $wait = $start + ($ts - $BASE) / 1000 - time;

            sleep $wait if $wait > 0;
            $p->message($type, $ts, $data)
                or die "connection closed at $ts ms\n";
            $p->poll();
            die "connection closed at $ts ms\n" if $p->closed();
        }

        # the last fragment is cut by the next keyframe: keep the
        # connection while the playlists are read
        sleep 2;
        $p->close();
        1;
    };

    diag("publisher: $@") unless $ok;
    return $ok;
}

# the media playlists a master names: { video => path, audio => path }

sub media_playlists {
    my ($master) = @_;

    my $r = $t->wait_for(sub {
        my $g = $t->get($master);
        return $g->{status} == 200 ? $g : undef;
    }, 20) or return ();

    (my $base = $master) =~ s{/[^/]*$}{};
    my %m;

    for my $l (split /\n/, $r->{body}) {
        if ($l =~ /URI="([^"]*Manifest\(audio[^"]*)"/ && !$m{audio}) {
            $m{audio} = "$base/$1";
        } elsif ($l =~ /^(QualityLevels\(\d+\)\/Manifest\(video[^)]*\))/
                 && !$m{video})
        {
            $m{video} = "$base/$1";
        }
    }

    return %m;
}

# a segment's path: its URI next to its media playlist

sub seg_url {
    my ($playlist, $s) = @_;

    (my $base = $playlist) =~ s{/[^/]*$}{};
    return "$base/$s->{uri}";
}

# segments: { tags => [lines], uri, dur, time }

sub parse_playlist {
    my ($body) = @_;

    my (@segs, @tags);

    for my $l (split /\n/, $body // '') {
        if ($l =~ /^#EXTINF:([\d.]+)/) {
            push @tags, $l;
            next;
        }

        if ($l =~ /^#EXT-X-(DATERANGE|CUE:|PROGRAM-DATE-TIME|DISCONTINUITY$)/) {
            push @tags, $l;
            next;
        }

        next if $l =~ /^#/ || $l eq '';

        my ($d) = map { /^#EXTINF:([\d.]+)/ ? $1 : () } @tags;
        my ($time) = $l =~ /=(\d+),format=/;
        push @segs, { tags => [ @tags ], uri => $l, dur => $d // 0,
                      time => $time // 0 };
        @tags = ();
    }

    my $pdt;

    for my $s (@segs) {
        my ($p) = map { /^#EXT-X-PROGRAM-DATE-TIME:(.*)/ ? $1 : () }
            @{ $s->{tags} };
        $s->{pdt} = $p ? date_ms($p) : undef;
    }

    return @segs;
}

sub attrs {
    my ($l) = @_;

    my %a;
    $l =~ s/^#[^:]*://;
    while ($l =~ /\G([A-Z0-9-]+)=("[^"]*"|[^,]*),?/gc) {
        my ($k, $v) = ($1, $2);
        $v =~ s/^"(.*)"$/$1/ if $k ne 'CUE';
        $a{$k} = $v;
    }

    return \%a;
}

# DATERANGE tags by ID: [ { attr, seg } ] in playlist order

sub dateranges {
    my ($segs) = @_;

    my %d;

    for my $s (@$segs) {
        for my $l (grep { /^#EXT-X-DATERANGE:/ } @{ $s->{tags} }) {
            my $a = attrs($l);
            push @{ $d{ $a->{ID} } }, { attr => $a, seg => $s, line => $l };
        }
    }

    return %d;
}

# Adobe EXT-X-CUE of an ID (as written: quoted or not)

sub adobe {
    my ($segs, $id) = @_;

    my @c;

    for my $s (@$segs) {
        for my $l (grep { /^#EXT-X-CUE:ID=\Q$id\E,/ } @{ $s->{tags} }) {
            push @c, { attr => attrs($l), seg => $s, line => $l };
        }
    }

    return @c;
}

# the timescale of the segment URLs: time units per second of EXTINF

sub timescale {
    my ($segs) = @_;

    return 1000 unless @$segs > 2;

    my $d = 0;
    $d += $segs->[$_]{dur} for 0 .. $#$segs - 1;
    my $u = $segs->[-1]{time} - $segs->[0]{time};
    for my $c (1000, 10000, 90000, 48000, 10000000) {
        return $c if $d && abs($u / $d - $c) < $c / 100;
    }
    return 1000;
}

# the timeline ms of a date in segment s's frame (its PDT and time)

sub cue_ms {
    my ($s, $ts, $date_ms) = @_;

    return -1e12 unless defined $s->{pdt};
    return $s->{time} * 1000 / $ts + ($date_ms - $s->{pdt});
}

sub cue_in {
    my ($s, $ts, $ms) = @_;

    my $start = $s->{time} * 1000 / $ts;
    return $ms >= $start && $ms < $start + $s->{dur} * 1000;
}

sub check_out {
    my ($d, $section, $ms, $dur, $what) = @_;

    ok($d, "$what: its DATERANGE") or return;
    my $a = $d->{attr};
    if ($section) {
        is(unpack('H*', hex_attr($a->{'SCTE35-OUT'} // '')),
            unpack('H*', $section), "$what: SCTE35-OUT, the section sent");
    } else {
        like($a->{'SCTE35-OUT'} // '', qr/^0x[0-9A-F]+$/,
            "$what: SCTE35-OUT");
    }
    is($a->{'PLANNED-DURATION'}, sprintf('%.3f', $dur),
        "$what: PLANNED-DURATION");
    ok(defined $d->{seg}{pdt}, "$what: a program date time on its segment");
    my $got = cue_ms($d->{seg}, $ts, date_ms($a->{'START-DATE'}));
    ok(abs($got - at($ms)) <= $FRAG,
        "$what: START-DATE at $got ms of the timeline, sent at " . at($ms));
    ok(cue_in($d->{seg}, $ts, $got), "$what: before the segment it falls in");
}

sub hex_attr {
    my ($v) = @_;
    $v =~ s/^0x//i;
    return pack('H*', $v);
}

sub date_ms {
    my ($d) = @_;

    my ($y, $mo, $da, $h, $mi, $s, $ms) =
        $d =~ /^(\d+)-(\d+)-(\d+)T(\d+):(\d+):(\d+)(?:\.(\d+))?Z$/
        or return 0;
    local $ENV{TZ} = 'UTC';
    POSIX::tzset();
    my $e = POSIX::mktime($s, $mi, $h, $da, $mo - 1, $y - 1900);
    return $e * 1000 + substr(($ms // 0) . '000', 0, 3);
}

# the ID3 stream of a TS segment: { pmt => ID3 entry seen, tags => [
# { pts, data } ] }

sub ts_id3 {
    my ($ts) = @_;

    my %r = (pmt => 0, tags => []);
    my ($pmt_pid, $id3_pid, %pes);

    for (my $i = 0; $i + 188 <= length $ts; $i += 188) {
        my @h = unpack('C4', substr($ts, $i, 4));
        my $pid = (($h[1] & 0x1f) << 8) | $h[2];
        my $pusi = $h[1] & 0x40;
        my $off = 4;
        $off += 1 + ord(substr($ts, $i + 4, 1)) if $h[3] & 0x20;
        my $pl = substr($ts, $i + $off, 188 - $off);

        if ($pid == 0 && $pusi) {
            $pmt_pid = unpack('n', substr($pl, 1 + 10, 2)) & 0x1fff;
        } elsif (defined $pmt_pid && $pid == $pmt_pid && $pusi) {
            my $s = substr($pl, 1);
            my $len = unpack('n', substr($s, 1, 2)) & 0xfff;
            my $pil = unpack('n', substr($s, 10, 2)) & 0xfff;
            my $pinfo = substr($s, 12, $pil);
            my $p = 12 + $pil;
            while ($p < 3 + $len - 4) {
                my ($type, $epid, $esl) = unpack('Cnn', substr($s, $p, 5));
                my $es = substr($s, $p + 5, $esl & 0xfff);
                if ($type == 0x15 && $es =~ /^\x26\x0d\xff\xffID3 \xffID3 /
                    && $pinfo =~ /\x25\x0f\xff\xffID3 \xffID3 /)
                {
                    $id3_pid = $epid & 0x1fff;
                    $r{pmt} = 1;
                }
                $p += 5 + ($esl & 0xfff);
            }
        } elsif (defined $id3_pid && $pid == $id3_pid) {
            push @{ $r{pes} }, '' if $pusi;
            $r{pes}[-1] .= $pl if $r{pes};
        }
    }

    for my $p (@{ $r{pes} // [] }) {
        next unless substr($p, 0, 4) eq "\x00\x00\x01\xbd";
        my $len = unpack('n', substr($p, 4, 2));
        my $hl = ord(substr($p, 8, 1));
        my @b = unpack('C5', substr($p, 9, 5));
        my $pts = (($b[0] & 0x0e) << 29) | ($b[1] << 22)
            | (($b[2] & 0xfe) << 14) | ($b[3] << 7) | ($b[4] >> 1);
        push @{ $r{tags} }, { pts => $pts,
                              data => substr($p, 9 + $hl, $len - 3 - $hl) };
    }

    return \%r;
}

# an ID3v2.4 tag of one frame

sub synchsafe {
    my ($n) = @_;
    return pack('C4', ($n >> 21) & 0x7f, ($n >> 14) & 0x7f,
        ($n >> 7) & 0x7f, $n & 0x7f);
}

sub id3_tag {
    my ($id, $body) = @_;

    my $frame = $id . synchsafe(length $body) . "\x00\x00" . $body;
    return "ID3\x04\x00\x00" . synchsafe(length $frame) . $frame;
}

sub event_stream {
    my (%o) = @_;

    my $attr = qq{ presentationTime="$o{time}" id="$o{id}"};
    my $body = $o{text} // $o{base64};
    $attr .= ' contentEncoding="base64"' if defined $o{base64};

    return qq{<?xml version="1.0" encoding="UTF-8"?>}
        . qq{<EventStream xmlns="urn:mpeg:dash:schema:mpd:2011" }
        . qq{schemeIdUri="$ID3" timescale="1000">}
        . qq{<Event$attr>$body</Event></EventStream>};
}

# SCTE 35 splice_insert (as t/102)

sub crc32_mpeg {
    my ($s) = @_;

    my $crc = 0xFFFFFFFF;

    for my $b (unpack('C*', $s)) {
        $crc ^= $b << 24;
        for (1 .. 8) {
            $crc = $crc & 0x80000000 ? (($crc << 1) ^ 0x04C11DB7) : $crc << 1;
            $crc &= 0xFFFFFFFF;
        }
    }

    return $crc;
}

sub splice_insert {
    my (%o) = @_;

    my $cmd = pack('N', $o{id}) . "\x7F"
        . chr(($o{out} ? 0x80 : 0) | 0x40 | ($o{dur} ? 0x20 : 0) | 0x0F)
        . chr(0xFE | (($o{pts} >> 32) & 1)) . pack('N', $o{pts} & 0xFFFFFFFF);

    if ($o{dur}) {
        my $d = $o{dur} * 90;
        $cmd .= chr(0xFE | (($d >> 32) & 1)) . pack('N', $d & 0xFFFFFFFF);
    }

    $cmd .= pack('n', 1) . "\x00\x00";

    my $body = "\x00" . "\x00" . pack('N', 0) . "\xFF"
        . "\xFF" . chr(0xF0 | (length($cmd) >> 8)) . chr(length($cmd) & 0xFF)
        . "\x05" . $cmd . pack('n', 0);
    my $len = length($body) + 4;
    my $s = "\xFC" . chr(0x30 | ($len >> 8)) . chr($len & 0xFF) . $body;

    return $s . pack('N', crc32_mpeg($s));
}

sub parse_section {
    my ($s) = @_;

    return {} if length $s < 20;

    my %r = (crc => crc32_mpeg(substr($s, 0, -4))
                    == unpack('N', substr($s, -4)) ? 'ok' : 'bad',
             type => ord(substr($s, 13, 1)));

    return \%r unless $r{type} == 5;

    $r{event} = unpack('N', substr($s, 14, 4));
    my $f = ord(substr($s, 19, 1));
    $r{out} = $f & 0x80 ? 1 : 0;
    my $p = 20;
    $p += ord(substr($s, $p, 1)) & 0x80 ? 5 : 1 if ($f & 0x40) && !($f & 0x10);

    if ($f & 0x20) {
        $r{dur} = ((ord(substr($s, $p, 1)) & 1) << 32)
                  + unpack('N', substr($s, $p + 1, 4));
    }

    return \%r;
}
