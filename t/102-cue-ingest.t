#!/usr/bin/perl

# Copyright (C) 2026, The Sluice authors.
#
# Cues from RTMP data messages (issue 13): the suite's own RTMP client
# (t/lib/Sluice/RTMP.pm) publishes an ffmpeg-made FLV's audio and video
# tags in real time with, among them:
#
#  - onAdCue in AMS's simple mode (Sluice makes the splice_insert),
#    onAdCue in SCTE-35 mode (a splice_info_section built here with its
#    CRC-32/MPEG-2), onCuePoint (Elemental, its cue in the parameters),
#    onUserDataEvent (an EventStream with an ID3 scheme; one with its
#    presentationTime, one at the message's own time), an onAdCue in an
#    AMF3 data message (type 15, its leading 0 byte);
#  - a bad base64, a bad CRC, an absurd duration, malformed AMF, a time
#    an hour ahead, a flood of ad cues and one of timed metadata: each
#    dropped with a log line naming the event, the stream goes on;
#  - onMetaData's language still reaches the tracks.
#
# The live store ({data}/live/{id}/{generation}/cues) and the asset of a
# live output recording the event ({data}/assets/{assetId}/cues) have
# exactly the good cues, their records parsed here (format in
# src/core/ngx_sluice_cue.h), sections equal to those sent, times within
# one fragment of where they were sent.  After a restart the event's
# timeline continues after the recording, and its cues come back into
# shared memory.

use strict;
use warnings;

use Test::More;
use MIME::Base64 qw(encode_base64);
use Compress::Zlib ();
use POSIX ();
use Time::HiRes qw(time sleep);

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::Sluice;
use Sluice::RTMP;
use Sluice::Record;
use Sluice::Ingest qw(fixture ffprobe_json);

my $t = Test::Sluice->new();
$t->has_program('ffmpeg', 'ffprobe');

Sluice::Record::config($t);
$t->run();

my $dir = $t->testdir;
my $BASE = 5000;            # ms: the publisher's first timestamp
my $FRAG = 2000;            # keyFrameIntervalDuration PT2S

my $token = 'c' x 32;
ok(Sluice::Record::event($t, 'cues', $token), 'live event running')
    or BAIL_OUT('no live event');

my $asset_id = Sluice::Record::asset($t, 'cueasset');
ok($asset_id && Sluice::Record::output($t, 'cues', 'rec', 'cueasset', 'PT5M'),
    'live output recording') or BAIL_OUT('no live output');

my $av = fixture('av', duration => 24, gop => 2, size => '320x180',
    vbitrate => '300k', abitrate => '64k');
my @tags = grep { $_->{type} == 8 || $_->{type} == 9 }
    Sluice::RTMP::flv_tags($av);

###############################################################################
# the data messages

my $ID3 = 'https://aomedia.org/emsg/ID3';
my %sent;               # id -> what the store must hold

sub at { $BASE + $_[0] }
sub secs { \(at($_[0]) / 1000) }

sub data { [ 18, at($_[0]), Sluice::RTMP::amf0_encode(@_[1 .. $#_]) ] }

my $s_out = splice_insert(id => 2002, out => 1, pts => at(6000) * 90,
    dur => 20000);
my $s_in = splice_insert(id => 3003, out => 0, pts => at(8000) * 90);
my $s_bad = $s_out;
substr($s_bad, -1, 1) = chr(ord(substr($s_bad, -1)) ^ 0x5a);

my @msgs = (
    data(0, '@setDataFrame', 'onMetaData', { language => 'fra',
        width => \320, height => \180 }),

    data(4000, 'onAdCue', { type => 'SpliceOut', id => '1001',
        duration => \30, time => secs(4000) }),
    data(6000, 'onAdCue', { type => 'scte35', id => '2002',
        cue => encode_base64($s_out, ''), duration => \20,
        time => secs(6000) }),
    data(8000, 'onCuePoint', { name => 'scte35', type => 'event',
        time => secs(8000), parameters => { id => '3003',
        duration => '0', cue => encode_base64($s_in, '') } }),
    data(10000, 'onUserDataEvent', event_stream(id => 'meta-1',
        time => at(10000), duration => 1000, text => 'ID3 hello')),
    data(10200, 'onUserDataEvent', event_stream(id => 'meta-2',
        text => 'too soon')),

    # bad input
    data(11000, 'onAdCue', { type => 'scte35', id => 'bad-b64',
        cue => '!!not base64!!', duration => \10, time => secs(11000) }),
    data(11500, 'onAdCue', { type => 'scte35', id => 'bad-crc',
        cue => encode_base64($s_bad, ''), duration => \10,
        time => secs(11500) }),
    data(12000, 'onAdCue', { type => 'SpliceOut', id => 'bad-dur',
        duration => \100000, time => secs(12000) }),
    [ 18, at(12500), "\x02\x00\x07onAdCue\x03\x00\x02id\x02\x00\x10ab" ],

    # a flood: the third within a second is dropped
    (map { data(13000 + 100 * $_, 'onAdCue', { type => 'SpliceOut',
        id => 5001 + $_, duration => \10, time => secs(13000 + 100 * $_) }) }
        0 .. 2),

    data(14500, 'onAdCue', { type => 'SpliceOut', id => 'far',
        duration => \10, time => \(at(14500) / 1000 + 3600) }),

    # AMF3 data message: an AMF0 body after a 0 byte
    [ 15, at(16000), "\x00" . Sluice::RTMP::amf0_encode('onAdCue',
        { type => 'SpliceOut', id => '6006', duration => \10,
          time => secs(16000) }) ],

    # timed metadata at the message's own time, no id: one is made
    data(18000, 'onUserDataEvent', event_stream(text => 'at 18 s')),
);

%sent = (
    1001 => { kind => 1, source => 1, time => at(4000), duration => 30000 },
    2002 => { kind => 1, source => 2, time => at(6000), duration => 20000,
              section => $s_out },
    3003 => { kind => 2, source => 3, time => at(8000), duration => 0,
              section => $s_in },
    'meta-1' => { kind => 4, source => 4, time => at(10000),
                  duration => 1000, scheme => $ID3, data => 'ID3 hello' },
    5001 => { kind => 1, source => 1, time => at(13000), duration => 10000 },
    5002 => { kind => 1, source => 1, time => at(13100), duration => 10000 },
    6006 => { kind => 1, source => 1, time => at(16000), duration => 10000 },
    at(18000) => { kind => 4, source => 4, time => at(18000), duration => 0,
                   scheme => $ID3, data => 'at 18 s', made => 1 },
);

my @list = sort { $a->[1] <=> $b->[1] }
    (@msgs, map { [ $_->{type}, at($_->{ts}), $_->{data} ] } @tags);

###############################################################################
# publish in real time

my $before = $t->event_dirs();
my $from = $t->log_offset();

ok(publish(\@list), 'published tags and data messages, never closed')
    or diag(log_tail());

my $gen = $t->new_event_dir($before);
ok($gen, 'event directory') or BAIL_OUT(log_tail());

my $tr = $t->wait_track_end($gen, 12, timeout => 20);
ok($tr, 'fragments kept coming after the bad messages (a ring of 8: 12 s of them)')
    or diag(log_tail());

my %tr = map { $_->{type} => $_ } @{$tr // []};
cmp_ok($tr{video}{times}[-1] // 0, '>=', at(20000) * 90,
    'the last fragments are those of the end of the stream');
my $loc = $t->api(GET => 'liveEvents/cues')
    ->{json}{properties}{preview}{previewLocator} // '';
my $smooth = $t->get("/$loc/preview.ism/manifest")->{body} // '';
like($smooth, qr/<StreamIndex Type="audio"[^>]* Language="fra"/,
    'onMetaData language still taken (the audio track is "fra")');

# the drops, one line each, naming the event

my $ev = qr/live event "cues"/;
ok($t->wait_log(qr/$ev: a cue of stream "cam" at \d+ dropped: /,
    from => $from, count => 4), 'four bad messages dropped with a line')
    or diag(log_tail());
like(log_from($from), qr/$ev: cue "5003" at \d+ ms dropped: ad cues come more often/,
    'ad cue flood: the third in a second dropped');
like(log_from($from), qr/$ev: cue "meta-2" at \d+ ms dropped: timed metadata comes/,
    'timed metadata flood dropped');
like(log_from($from), qr/$ev: a cue of stream "cam" at \d+ ms of the timeline is too far/,
    'a cue an hour ahead dropped');

###############################################################################
# the store and the asset

my $live = "$gen/cues";
my $adir = "$dir/data/assets/$asset_id";

ok($t->wait_for(sub { keys %{cues("$adir/cues")} >= keys %sent }, 20),
    'asset cues file written') or diag(explain(cues("$adir/cues")));

check_store('live store', cues($live));
check_store('asset', cues("$adir/cues"));

# a torn trailing record (a crash while appending) is skipped by readers

{
    open my $fh, '>>:raw', $live or die "$live: $!";
    print {$fh} "SCUE\x40\x00\x00\x00\x01\x01";
    close $fh;
    is(scalar keys %{cues($live)}, scalar keys %sent,
        'a torn trailing record is skipped');
}

###############################################################################
# restart: the timeline continues after the recording, cues come back

my $off = $t->log_offset();
$t->stop();
$t->run();

ok($t->wait_log(qr/$ev: \d+ cue\(s\) of "[^"]+\/cues" taken back/,
    from => 0), 'after a restart the cues are back in shared memory')
    or diag(log_tail());
like(log_from($off), qr/$ev: 8 cue\(s\) of "\Q$live\E" taken back/,
    'all eight, from the previous generation\'s store');

done_testing();

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

        $p->close();
        1;
    };

    diag("publisher: $@") unless $ok;
    return $ok;
}

sub check_store {
    my ($what, $got) = @_;

    is_deeply([ sort keys %$got ], [ sort keys %sent ],
        "$what: the good cues, none of the dropped ones");

    for my $id (sort keys %sent) {
        my $w = $sent{$id};
        my $c = $got->{$id} or next;

        ok(abs($c->{time} - $w->{time}) <= $FRAG,
            "$what: $id at $c->{time} ms, sent at $w->{time}");
        is("$c->{kind}/$c->{source}/$c->{duration}",
            "$w->{kind}/$w->{source}/$w->{duration}",
            "$what: $id kind, source, duration");

        if ($w->{section}) {
            is(unpack('H*', $c->{section}), unpack('H*', $w->{section}),
                "$what: $id section as sent");
        }

        if ($w->{scheme}) {
            is("$c->{scheme}|$c->{data}", "$w->{scheme}|$w->{data}",
                "$what: $id scheme and data");
        }

        if ($w->{made}) {
            ok($c->{flags} & 1, "$what: $id made from the time");
        }
    }

    # simple mode: the splice_insert Sluice made

    my $si = parse_section($got->{1001}{section} // '');
    is(join(',', map { $_ // '-' } @$si{qw(crc type event out dur)}),
        'ok,5,1001,1,2700000',
        "$what: simple mode made a splice_insert: out, id, 30 s");
}

# the records of a cues file, the last of each id and time kept

sub cues {
    my ($file) = @_;

    open my $fh, '<:raw', $file or return {};
    local $/;
    my $d = <$fh> // '';
    close $fh;

    my %c;
    my $p = 0;

    while ($p + 60 <= length $d) {
        my $len = unpack('V', substr($d, $p + 4, 4));

        if (substr($d, $p, 4) ne 'SCUE' || $len < 60
            || $p + $len > length $d
            || Compress::Zlib::crc32(substr($d, $p, $len - 4))
               != unpack('V', substr($d, $p + $len - 4, 4)))
        {
            $p++;
            next;
        }

        my ($ver, $kind, $source, $flags, $eid, $time, $dur, $el,
            $idl, $scl, $vall, undef, $secl, $datl) =
            unpack('C C C C V Q< Q< Q< v v v v V V', substr($d, $p + 8, 48));
        my $q = $p + 56;
        my @s;

        for my $l ($idl, $secl, $scl, $vall, $datl) {
            push @s, substr($d, $q, $l);
            $q += $l;
        }

        $c{$s[0]} = { version => $ver, kind => $kind, source => $source,
            flags => $flags, event_id => $eid, time => $time,
            duration => $dur, section => $s[1], scheme => $s[2],
            value => $s[3], data => $s[4] };
        $p += $len;
    }

    return \%c;
}

# SCTE 35 (ANSI/SCTE 35 2022, 9.2): splice_info_section, splice_insert

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

sub section {
    my ($type, $cmd) = @_;

    my $body = "\x00"                       # protocol_version
        . "\x00" . pack('N', 0)             # not encrypted, pts_adjustment
        . "\xFF"                            # cw_index
        . "\xFF" . chr(0xF0 | (length($cmd) >> 8)) . chr(length($cmd) & 0xFF)
        . chr($type) . $cmd
        . pack('n', 0);                     # descriptor_loop_length
    my $len = length($body) + 4;
    my $s = "\xFC" . chr(0x30 | ($len >> 8)) . chr($len & 0xFF) . $body;

    return $s . pack('N', crc32_mpeg($s));
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

    return section(5, $cmd . pack('n', 1) . "\x00\x00");
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

    if (($f & 0x40) && !($f & 0x10)) {
        # splice_time(): 5 bytes with a time, else 1
        $p += ord(substr($s, $p, 1)) & 0x80 ? 5 : 1;
    }

    if ($f & 0x20) {
        $r{dur} = ((ord(substr($s, $p, 1)) & 1) << 32)
                  + unpack('N', substr($s, $p + 1, 4));
    }

    return \%r;
}

sub event_stream {
    my (%o) = @_;

    my $attr = join '', map { defined $o{$_->[0]}
        ? qq{ $_->[1]="$o{$_->[0]}"} : '' }
        [ 'time', 'presentationTime' ], [ 'duration', 'duration' ],
        [ 'id', 'id' ];

    return qq{<?xml version="1.0" encoding="UTF-8"?>}
        . qq{<EventStream xmlns="urn:mpeg:dash:schema:mpd:2011" }
        . qq{schemeIdUri="$ID3" timescale="1000">}
        . qq{<Event$attr>$o{text}</Event></EventStream>};
}

sub log_from {
    my ($off) = @_;

    my $l = $t->error_log();
    return substr($l, $off // 0);
}

sub log_tail {
    my @l = split /\n/, $t->error_log();
    return join("\n", @l > 40 ? @l[-40 .. -1] : @l);
}
