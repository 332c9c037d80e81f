package Sluice::OpenAPI;

# Copyright (C) 2026, The Sluice authors.

=head1 NAME

Sluice::OpenAPI - check API responses against the AMS v3 OpenAPI files

=head1 SYNOPSIS

    use Sluice::OpenAPI;

    my $oa = Sluice::OpenAPI->new()
        or plan(skip_all => Sluice::OpenAPI->why());

    my @errors = $oa->validate('Asset', $r->{json});
    $oa->ok('AssetCollection', $r->{json}, 'list of assets');

=head1 DESCRIPTION

Loads the Swagger 2.0 files of F<../shared/reference/ams-openapi/>
(relative to the repository root; or the directory in
C<SLUICE_AMS_OPENAPI>): AssetsAndAssetFilters.json,
StreamingPoliciesAndStreamingLocators.json, streamingservice.json,
AccountFilters.json, ContentKeyPolicies.json and types.json.  Definitions
are found by name in any of them (C<Asset>, C<LiveOutput>,
C<StreamingEndpoint>, C<ErrorResponse>, ...); C<$ref>s resolve within
their file or, for the common types' relative paths, in types.json.

C<validate($name, $data)> walks the definition (allOf, properties,
additionalProperties, items) and returns a list of messages, empty when
the data conforms:

=over

=item types

object, array, string, integer (a JSON number without fraction), number,
boolean.  C<null> is accepted where the definition does not say
C<x-nullable: false> (AMS itself returns nulls).

=item required

every name in C<required> is present.

=item enums

string values are among C<enum> (case-sensitive, as the SDKs compare).

=item formats

date-time (RFC 3339), uuid, duration (ISO 8601), int32 range.

=item unknown properties

a member that the definition does not declare is reported (a response
must not invent fields), unless C<additionalProperties> allows it.

=item readOnly

with C<< request => 1 >> in C<validate($name, $data, request => 1)>,
read-only members present in a request body are reported; in responses
they are expected, and C<< response_readonly => [names] >> asserts some
are present.

=back

C<ok($name, $data, $test_name)> runs validate and reports one Test::More
test, with the messages as diagnostics.  $data may be a response of
Test::Sluice (a hash with status and body): the body is decoded afresh,
as Perl turns numbers used as strings into strings.

=cut

use strict;
use warnings;

use File::Basename qw(dirname);
use File::Spec;
use JSON::PP;
use Test::More ();

my $WHY = '';

my @FILES = qw(AssetsAndAssetFilters.json
    StreamingPoliciesAndStreamingLocators.json streamingservice.json
    AccountFilters.json ContentKeyPolicies.json types.json);

sub why { $WHY }

sub default_dir {
    return $ENV{SLUICE_AMS_OPENAPI} if $ENV{SLUICE_AMS_OPENAPI};

    # t/lib/Sluice/OpenAPI.pm -> repository root -> ../shared/...
    my $root = File::Spec->rel2abs(dirname(__FILE__) . '/../../..');
    return "$root/../shared/reference/ams-openapi";
}

sub new {
    my ($class, $dir) = @_;

    $dir //= default_dir();

    unless (-d $dir) {
        $WHY = "AMS OpenAPI reference not found in $dir "
            . "(set SLUICE_AMS_OPENAPI)";
        return undef;
    }

    my $self = bless { dir => $dir, files => {}, defs => {} }, $class;

    for my $f (@FILES) {
        my $path = "$dir/$f";
        next unless -f $path;
        open my $fh, '<', $path or next;
        local $/;
        my $doc = eval { decode_json(<$fh>) };
        close $fh;
        next unless $doc;
        $self->{files}{$f} = $doc;
        for my $name (keys %{$doc->{definitions} // {}}) {
            # the first file wins: the Media files before the common types
            $self->{defs}{$name} //= [ $f, $doc->{definitions}{$name} ];
        }
    }

    unless (%{$self->{files}}) {
        $WHY = "no OpenAPI file could be read in $dir";
        return undef;
    }

    return $self;
}

# a $ref seen from file $from -> (file, schema)
sub resolve {
    my ($self, $from, $ref) = @_;

    my ($file, $frag) = split /#/, $ref, 2;
    my $target = $from;

    if (length $file) {
        ($target) = $file =~ m{([^/]+)$};
    }

    my $doc = $self->{files}{$target}
        or die "OpenAPI: unknown file in \$ref $ref";

    my $node = $doc;
    for my $part (grep { length } split m{/}, $frag // '') {
        $part =~ s/~1/\//g;
        $part =~ s/~0/~/g;
        $node = $node->{$part};
        die "OpenAPI: unresolved \$ref $ref" unless defined $node;
    }

    return ($target, $node);
}

sub definition {
    my ($self, $name) = @_;

    my $d = $self->{defs}{$name} or die "OpenAPI: no definition $name";
    return @$d;
}

sub validate {
    my ($self, $name, $data, %o) = @_;

    my ($file, $schema) = $self->definition($name);
    my @errors;

    $self->_walk($file, $schema, $data, $name, \@errors, \%o, 0);

    for my $ro (@{$o{response_readonly} // []}) {
        my $v = $data;
        for my $k (split m{/}, $ro) {
            $v = ref $v eq 'HASH' ? $v->{$k} : undef;
        }
        push @errors, "$name: read-only $ro missing" unless defined $v;
    }

    return @errors;
}

sub ok {
    my ($self, $name, $data, $test) = @_;

    # a response of Test::Sluice: decoded afresh, so numbers stay numbers
    if (ref $data eq 'HASH' && exists $data->{status}
        && exists $data->{body})
    {
        $data = eval { JSON::PP->new->decode($data->{body}) };
    }

    my @e = $self->validate($name, $data);
    my $tb = Test::More->builder;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    my $res = $tb->ok(!@e, $test // "valid $name");
    $tb->diag(join("\n", @e[0 .. ($#e > 19 ? 19 : $#e)])) if @e;
    return $res;
}

# flattens allOf: (properties, required, additionalProperties, types)
sub _collect {
    my ($self, $file, $schema, $acc) = @_;

    if ($schema->{'$ref'}) {
        my ($f, $s) = $self->resolve($file, $schema->{'$ref'});
        $self->_collect($f, $s, $acc);
        # siblings of a $ref (readOnly, description) apply too
        $acc->{readOnly} = 1 if $schema->{readOnly};
        return;
    }

    for my $sub (@{$schema->{allOf} // []}) {
        $self->_collect($file, $sub, $acc);
    }

    for my $p (keys %{$schema->{properties} // {}}) {
        $acc->{props}{$p} = [ $file, $schema->{properties}{$p} ];
    }

    push @{$acc->{required}}, @{$schema->{required} // []};

    $acc->{additional} = [ $file, $schema->{additionalProperties} ]
        if exists $schema->{additionalProperties};

    for my $k (qw(type format enum items readOnly x-nullable minimum
                  maximum minLength maxLength pattern discriminator))
    {
        $acc->{$k} = $schema->{$k} if exists $schema->{$k};
    }
    $acc->{items_file} = $file if $schema->{items};
}

sub _is_int {
    my ($v) = @_;
    return !ref $v && defined $v && $v =~ /^-?\d+$/;
}

sub _walk {
    my ($self, $file, $schema, $data, $where, $errors, $o, $depth) = @_;

    return if $depth > 40;

    my %acc = (props => {}, required => []);
    $self->_collect($file, $schema, \%acc);

    my $type = $acc{type};
    $type = 'object' if !$type && %{$acc{props}};

    if (!defined $data) {
        push @$errors, "$where: null where x-nullable is false"
            if defined $acc{'x-nullable'} && !$acc{'x-nullable'};
        return;
    }

    if ($o->{request} && $acc{readOnly} && $depth > 0) {
        push @$errors, "$where: read-only, must not be sent";
    }

    return unless $type;

    # polymorphism: the definition whose x-ms-discriminator-value is the
    # discriminator's value (an @odata.type) describes the object
    if (my $d = $acc{discriminator}) {
        if (ref $data eq 'HASH' && defined $data->{$d}) {
            my ($sub) = grep {
                ($_->[1]{'x-ms-discriminator-value'} // '') eq $data->{$d}
            } values %{$self->{defs}};

            if (!$sub) {
                push @$errors, "$where: unknown $d $data->{$d}";
                return;
            }

            if ($sub->[1] != $schema) {
                return $self->_walk($sub->[0], $sub->[1], $data, $where,
                    $errors, $o, $depth + 1);
            }
        }
    }

    if ($type eq 'object') {
        if (ref $data ne 'HASH') {
            push @$errors, "$where: expected an object";
            return;
        }

        for my $r (@{$acc{required}}) {
            push @$errors, "$where: required $r missing"
                unless exists $data->{$r};
        }

        for my $k (sort keys %$data) {
            if (my $p = $acc{props}{$k}) {
                $self->_walk($p->[0], $p->[1], $data->{$k}, "$where.$k",
                    $errors, $o, $depth + 1);
            } elsif ($acc{additional} && ref $acc{additional}[1] eq 'HASH') {
                $self->_walk($acc{additional}[0], $acc{additional}[1],
                    $data->{$k}, "$where.$k", $errors, $o, $depth + 1);
            } elsif (!$acc{additional}) {
                push @$errors, "$where: unknown property $k";
            }
        }
        return;
    }

    if ($type eq 'array') {
        if (ref $data ne 'ARRAY') {
            push @$errors, "$where: expected an array";
            return;
        }
        my $i = 0;
        for my $e (@$data) {
            $self->_walk($acc{items_file} // $file, $acc{items} // {}, $e,
                "$where\[$i]", $errors, $o, $depth + 1);
            $i++;
        }
        return;
    }

    if (ref $data && !JSON::PP::is_bool($data)) {
        push @$errors, "$where: expected a $type, got "
            . (ref $data eq 'HASH' ? 'an object' : 'an array');
        return;
    }

    if ($type eq 'boolean') {
        push @$errors, "$where: expected a boolean"
            unless JSON::PP::is_bool($data);
        return;
    }

    if ($type eq 'integer' || $type eq 'number') {
        my $num = !JSON::PP::is_bool($data)
            && B_is_number($data);
        if (!$num) {
            push @$errors, "$where: expected a $type";
            return;
        }
        if ($type eq 'integer' && !_is_int($data)) {
            push @$errors, "$where: expected an integer";
            return;
        }
        if (($acc{format} // '') eq 'int32'
            && ($data > 2147483647 || $data < -2147483648))
        {
            push @$errors, "$where: out of int32 range";
        }
        return;
    }

    if ($type eq 'string') {
        if (JSON::PP::is_bool($data) || B_is_number($data)) {
            push @$errors, "$where: expected a string";
            return;
        }
        if ($acc{enum} && !grep { $_ eq $data } @{$acc{enum}}) {
            push @$errors, "$where: '$data' not in enum ("
                . join(', ', @{$acc{enum}}) . ')';
        }
        my $f = $acc{format} // '';
        if ($f eq 'date-time'
            && $data !~ /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/)
        {
            push @$errors, "$where: '$data' is not a date-time";
        }
        if ($f eq 'uuid' && $data !~ /^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$/) {
            push @$errors, "$where: '$data' is not a uuid";
        }
        if ($f eq 'duration'
            && $data !~ /^P(\d+D)?(T(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/)
        {
            push @$errors, "$where: '$data' is not an ISO 8601 duration";
        }
        return;
    }
}

# a scalar decoded by JSON::PP from a JSON number (not a string)
sub B_is_number {
    my ($v) = @_;
    require B;
    my $flags = B::svref_2object(\$v)->FLAGS;
    return ($flags & (B::SVp_IOK() | B::SVp_NOK())) && !($flags & B::SVp_POK());
}

1;
